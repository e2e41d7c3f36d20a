package io.gauntlet.seed;

import io.gauntlet.seed.SyntheticSeries.ValueProcess;
import io.gauntlet.tsdb.Labels;
import java.util.List;
import java.util.Map;

/** Adds the series of one target: its target labels on every series, a seed per series derived from its labels. */
final class SeriesBuilder {
    private final List<SyntheticSeries> out;
    private final Map<String, String> targetLabels;
    private final Target target;
    private final long seed;
    private final long from;
    private final long to;

    SeriesBuilder(List<SyntheticSeries> out, Map<String, String> targetLabels, Target target, long seed, long from, long to) {
        this.out = out;
        this.targetLabels = targetLabels;
        this.target = target;
        this.seed = seed;
        this.from = from;
        this.to = to;
    }

    Target target() {
        return target;
    }

    /** A seed of its own for the series these labels name. */
    long seed(String name, String... labels) {
        long h = seed * 31 + name.hashCode();
        for (String label : labels) {
            h = h * 1_000_003 + label.hashCode();
        }
        return h;
    }

    /** Adds {@code name{targetLabels, labels...}} of the given OpenMetrics family and type. */
    void add(String family, String type, String name, ValueProcess process, String... labels) {
        Labels.Builder builder = Labels.builder();
        targetLabels.forEach(builder::set);
        builder.set(Labels.METRIC_NAME, name);
        for (int i = 0; i < labels.length; i += 2) {
            builder.set(labels[i], labels[i + 1]);
        }
        out.add(new SyntheticSeries(builder.build(), family, type, target, from, to, process));
    }

    /**
     * A counter whose family is its name without {@code _total}; one without the suffix (node_exporter's vmstat fields) is
     * untyped, as node_exporter exposes it and as OpenMetrics requires.
     */
    void counter(String name, ValueProcess process, String... labels) {
        if (name.endsWith("_total")) {
            add(name.substring(0, name.length() - "_total".length()), "counter", name, process, labels);
        } else {
            add(name, "unknown", name, process, labels);
        }
    }

    void gauge(String name, ValueProcess process, String... labels) {
        add(name, "gauge", name, process, labels);
    }
}
