package io.gauntlet.tsdb.storage;

import java.util.List;

/**
 * What the engine will do with a selection, passed down so that stores can prune and choose a
 * resolution (Prometheus' {@code storage.SelectHints}). Times in milliseconds; step and range 0 when
 * not applicable; {@code function} empty when none.
 */
public record SelectHints(long start, long end, long step, String function, long range, List<String> grouping, boolean by) {
    public SelectHints {
        function = function == null ? "" : function;
        grouping = grouping == null ? List.of() : List.copyOf(grouping);
    }

    public static SelectHints range(long start, long end) {
        return new SelectHints(start, end, 0, "", 0, List.of(), false);
    }
}
