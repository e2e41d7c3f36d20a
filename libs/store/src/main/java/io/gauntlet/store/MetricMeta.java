package io.gauntlet.store;

import io.gauntlet.proto.thanos.metadata.Meta;
import io.gauntlet.proto.thanos.metadata.MetricMetadata;
import io.gauntlet.proto.thanos.metadata.MetricMetadataEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One metadata entry of a metric as Prometheus reports it ({@code /api/v1/metadata}): its type ({@code counter},
 * {@code gauge}, {@code histogram}, {@code summary}, {@code unknown}, ...), help text and unit. A metric scraped from
 * targets that disagree has several.
 */
public record MetricMeta(String type, String help, String unit) {
    public MetricMeta {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(unit, "unit");
    }

    public Meta toWire() {
        return Meta.newBuilder().setType(type).setHelp(help).setUnit(unit).build();
    }

    public static MetricMeta fromWire(Meta meta) {
        return new MetricMeta(meta.getType(), meta.getHelp(), meta.getUnit());
    }

    /** Metric name → entries, as the {@code thanos.MetricMetadata} message (map order kept). */
    public static MetricMetadata toWire(Map<String, List<MetricMeta>> metadata) {
        MetricMetadata.Builder out = MetricMetadata.newBuilder();
        metadata.forEach((metric, metas) -> {
            MetricMetadataEntry.Builder entry = MetricMetadataEntry.newBuilder();
            for (MetricMeta meta : metas) {
                entry.addMetas(meta.toWire());
            }
            out.putMetadata(metric, entry.build());
        });
        return out.build();
    }

    /** The {@code thanos.MetricMetadata} message as metric name → entries, in the order they came. */
    public static Map<String, List<MetricMeta>> fromWire(MetricMetadata metadata) {
        Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
        metadata.getMetadataMap().forEach((metric, entry) -> {
            List<MetricMeta> metas = new ArrayList<>(entry.getMetasCount());
            for (Meta meta : entry.getMetasList()) {
                metas.add(fromWire(meta));
            }
            out.put(metric, metas);
        });
        return out;
    }
}
