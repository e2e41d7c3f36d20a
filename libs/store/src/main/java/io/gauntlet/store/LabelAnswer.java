package io.gauntlet.store;

import java.util.List;

/** A label names or values answer of a {@link ChunkSource}: sorted unique values, and warnings about what is missing from them. */
public record LabelAnswer(List<String> values, List<String> warnings) {
    public LabelAnswer {
        values = List.copyOf(values);
        warnings = List.copyOf(warnings);
    }
}
