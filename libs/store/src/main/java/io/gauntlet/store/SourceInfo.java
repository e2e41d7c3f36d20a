package io.gauntlet.store;

import io.gauntlet.tsdb.Labels;
import java.util.List;

/**
 * What a {@link ChunkSource} serves, for the Info API. {@code externalLabels} are added by the adapter to every
 * series (a sidecar's Prometheus external labels; EMPTY for a store gateway whose series already carry their
 * block's labels). {@code labelSets} are advertised to queriers; when empty, the external labels are advertised.
 * {@code componentType} is Thanos' name: "sidecar", "store", "rule", "query", "receive".
 */
public record SourceInfo(String componentType, Labels externalLabels, List<Labels> labelSets, long minTime, long maxTime) {
    public SourceInfo {
        labelSets = labelSets == null ? List.of() : List.copyOf(labelSets);
        externalLabels = externalLabels == null ? Labels.EMPTY : externalLabels;
    }

    public static SourceInfo of(String componentType, Labels externalLabels, long minTime, long maxTime) {
        return new SourceInfo(componentType, externalLabels, List.of(), minTime, maxTime);
    }

    /** The label sets the Info API advertises. */
    public List<Labels> advertisedLabelSets() {
        if (!labelSets.isEmpty()) {
            return labelSets;
        }
        return externalLabels.isEmpty() ? List.of() : List.of(externalLabels);
    }
}
