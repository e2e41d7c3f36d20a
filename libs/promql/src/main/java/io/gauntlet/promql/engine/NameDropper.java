package io.gauntlet.promql.engine;

import io.gauntlet.tsdb.Labels;
import java.util.Arrays;

/**
 * Drops {@code __name__} once per input series rather than once per sample: the same label object comes back at
 * every step, so nothing is allocated per step and the output series are found again by identity.
 */
final class NameDropper {
    private Labels[] byOrigin = new Labels[16];

    Labels drop(StepVector vector, int index) {
        int origin = vector.origins[index];
        if (origin < 0) {
            return LabelSets.dropMetricName(vector.labels[index]);
        }
        if (origin >= byOrigin.length) {
            byOrigin = Arrays.copyOf(byOrigin, Math.max(origin + 1, byOrigin.length * 2));
        }
        Labels dropped = byOrigin[origin];
        if (dropped == null) {
            dropped = LabelSets.dropMetricName(vector.labels[index]);
            byOrigin[origin] = dropped;
        }
        return dropped;
    }
}
