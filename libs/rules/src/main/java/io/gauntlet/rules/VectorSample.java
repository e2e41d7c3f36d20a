package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;

/** One element of an instant vector (a rule's query result or its output). */
public record VectorSample(Labels labels, long timestamp, double value) {
}
