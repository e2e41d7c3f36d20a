package io.gauntlet.promql.parser;

import io.gauntlet.tsdb.Labels;
import java.util.List;
import java.util.Objects;

/** A series line of the golden test language ({@code load} blocks): its labels and one value per step. */
public record SeriesDescription(Labels labels, List<SeriesValue> values) {
    public SeriesDescription {
        Objects.requireNonNull(labels, "labels");
        values = List.copyOf(values);
    }
}
