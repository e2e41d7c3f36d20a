package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;
import java.io.IOException;

/** Where a group's evaluation writes its recorded, ALERTS and ALERTS_FOR_STATE samples; one batch per rule. */
public interface SampleAppender {
    /** Appends one sample; false when it was rejected (out of order, duplicate timestamp). */
    boolean append(Labels labels, long timestampMillis, double value);

    /** Makes the batch durable and visible. */
    void commit() throws IOException;
}
