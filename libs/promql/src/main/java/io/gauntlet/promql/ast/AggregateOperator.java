package io.gauntlet.promql.ast;

import java.util.Locale;

public enum AggregateOperator {
    SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR, TOPK, BOTTOMK, COUNT_VALUES, QUANTILE;

    /** The keyword as written in PromQL, e.g. {@code count_values}. */
    public String symbol() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** topk, bottomk, quantile and count_values take a first parameter. */
    public boolean takesParameter() {
        return this == TOPK || this == BOTTOMK || this == COUNT_VALUES || this == QUANTILE;
    }
}
