package io.gauntlet.promql.parser;

import io.gauntlet.promql.ast.Expr;
import io.gauntlet.tsdb.LabelMatcher;
import java.util.List;

/** Entry points of the PromQL parser (Prometheus 2.42 grammar). All methods throw {@link ParseException}. */
public final class PromqlParser {
    private PromqlParser() {
    }

    public static Expr parseExpr(String query) {
        throw new UnsupportedOperationException("parser not written yet");
    }

    /** A series selector as in the HTTP API's {@code match[]}, e.g. {@code up{job="x"}}. */
    public static List<LabelMatcher> parseMetricSelector(String selector) {
        throw new UnsupportedOperationException("parser not written yet");
    }

    /** A Prometheus duration such as {@code 1h30m}, {@code 5m}, {@code 1y}, {@code 250ms}, in milliseconds. */
    public static long parseDuration(String duration) {
        throw new UnsupportedOperationException("parser not written yet");
    }

    /** A series line of the golden test language: {@code metric{a="b"} 0+10x100 _x3 stale}. */
    public static SeriesDescription parseSeriesDescription(String line) {
        throw new UnsupportedOperationException("parser not written yet");
    }
}
