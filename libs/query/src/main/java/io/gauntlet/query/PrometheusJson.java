package io.gauntlet.query;

import io.gauntlet.promql.engine.MatrixResult;
import io.gauntlet.promql.engine.QueryStats;
import io.gauntlet.promql.engine.QueryValue;
import io.gauntlet.promql.engine.RangeSeries;
import io.gauntlet.promql.engine.ScalarResult;
import io.gauntlet.promql.engine.StringResult;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.histogram.AllBucketsIterator;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;

/**
 * Writes Prometheus 2.42 HTTP API JSON byte-for-byte as Prometheus does: sample values as Go's
 * {@code strconv.AppendFloat} strings ('e' below 1e-6 and from 1e21, 'f' otherwise, shortest digits), timestamps as
 * seconds with the milliseconds written out, strings escaped as Go's encoding/json escapes them.
 */
public final class PrometheusJson {
    private PrometheusJson() {
    }

    /** {@code {"status":"success","data":<data>[,"warnings":[…]]}} */
    public static String success(String dataJson, Collection<String> warnings) {
        StringBuilder out = new StringBuilder(dataJson.length() + 64).append("{\"status\":\"success\",\"data\":").append(dataJson);
        if (!warnings.isEmpty()) {
            out.append(",\"warnings\":");
            // each selector of a query asks the stores again: the same store warning once
            writeStrings(out, new java.util.LinkedHashSet<>(warnings));
        }
        return out.append('}').toString();
    }

    /** {@code {"status":"error","errorType":"bad_data","error":"…"}} */
    public static String error(String errorType, String message, Collection<String> warnings) {
        StringBuilder out = new StringBuilder("{\"status\":\"error\",\"errorType\":");
        writeString(out, errorType);
        out.append(",\"error\":");
        writeString(out, message);
        if (!warnings.isEmpty()) {
            out.append(",\"warnings\":");
            writeStrings(out, warnings);
        }
        return out.append('}').toString();
    }

    /** How long a query waited for its turn and how long it ran, in nanoseconds, as the API measured them. */
    public record ExecTimes(long queueNanos, long evalNanos) {
    }

    /**
     * The {@code data} of a query answer with Prometheus 2.42's {@code stats} object: timings in seconds, the samples
     * read and the peak held; the samples per step ({@code [[<time>,<samples>],…]}) only when {@code perStep}.
     */
    public static String queryData(QueryValue value, QueryStats stats, ExecTimes times, boolean perStep) {
        String data = queryData(value);
        StringBuilder out = new StringBuilder(data.length() + 400).append(data, 0, data.length() - 1);
        long evalTotal = times.evalNanos();
        out.append(",\"stats\":{\"timings\":{\"evalTotalTime\":").append(seconds(evalTotal))
                .append(",\"resultSortTime\":").append(seconds(stats.resultSortNanos()))
                .append(",\"queryPreparationTime\":").append(seconds(stats.queryPreparationNanos()))
                .append(",\"innerEvalTime\":").append(seconds(stats.innerEvalNanos()))
                .append(",\"execQueueTime\":").append(seconds(times.queueNanos()))
                .append(",\"execTotalTime\":").append(seconds(times.queueNanos() + evalTotal))
                .append("},\"samples\":{");
        if (perStep) {
            out.append("\"totalQueryableSamplesPerStep\":[");
            long[] steps = stats.totalQueryableSamplesPerStep();
            for (int i = 0; i < steps.length; i++) {
                out.append(i == 0 ? "[" : ",[");
                writeTimestamp(out, stats.start() + i * stats.interval());
                out.append(',').append(steps[i]).append(']');
            }
            out.append("],");
        }
        out.append("\"totalQueryableSamples\":").append(stats.totalQueryableSamples())
                .append(",\"peakSamples\":").append(stats.peakSamples()).append("}}}");
        return out.toString();
    }

    private static String seconds(long nanos) {
        return jsonFloat(nanos / 1e9);
    }

    /** The {@code data} of a query answer: {@code {"resultType":"…","result":…}}. */
    public static String queryData(QueryValue value) {
        StringBuilder out = new StringBuilder(expectedLength(value));
        writeQueryData(out, value);
        return out.toString();
    }

    /** {@link #success} of {@link #queryData} written into one builder: a large matrix is not copied twice more. */
    public static String queryAnswer(QueryValue value, Collection<String> warnings) {
        StringBuilder out = new StringBuilder(expectedLength(value) + 64).append("{\"status\":\"success\",\"data\":");
        writeQueryData(out, value);
        if (!warnings.isEmpty()) {
            out.append(",\"warnings\":");
            writeStrings(out, new java.util.LinkedHashSet<>(warnings));
        }
        return out.append('}').toString();
    }

    /** About the answer's length, so that the builder seldom grows (each growth copies all written so far). */
    private static int expectedLength(QueryValue value) {
        long points = 0;
        if (value instanceof MatrixResult matrix) {
            for (RangeSeries series : matrix.series()) {
                points += series.size() + 8; // the labels take about as much as a few points
            }
        } else if (value instanceof VectorResult vector) {
            points = vector.size() * 8L;
        }
        return (int) Math.min(Integer.MAX_VALUE - 16, 256 + points * 36);
    }

    private static void writeQueryData(StringBuilder out, QueryValue value) {
        out.append("{\"resultType\":\"").append(value.resultType()).append("\",\"result\":");
        switch (value) {
            case ScalarResult scalar -> {
                out.append('[').append(jsonFloat(scalar.timestamp() / 1000.0)).append(',');
                writeString(out, plainFloat(scalar.value()));
                out.append(']');
            }
            case StringResult string -> {
                out.append('[').append(jsonFloat(string.timestamp() / 1000.0)).append(',');
                writeString(out, string.value());
                out.append(']');
            }
            case VectorResult vector -> {
                out.append('[');
                for (int i = 0; i < vector.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    out.append("{\"metric\":");
                    writeLabels(out, vector.labels(i));
                    FloatHistogram histogram = vector.histogram(i);
                    if (histogram == null) {
                        out.append(",\"value\":");
                        writePoint(out, vector.timestamp(), vector.value(i));
                    } else {
                        out.append(",\"histogram\":");
                        writeHistogramPoint(out, vector.timestamp(), histogram);
                    }
                    out.append('}');
                }
                out.append(']');
            }
            case MatrixResult matrix -> {
                out.append('[');
                boolean first = true;
                for (RangeSeries series : matrix.series()) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    out.append("{\"metric\":");
                    writeLabels(out, series.labels());
                    writeSeriesPoints(out, series);
                    out.append('}');
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("unknown result type " + value.resultType());
        }
        out.append('}');
    }

    /** {@code ,"values":[…]} for the float points, then {@code ,"histograms":[…]} for the histogram points. */
    private static void writeSeriesPoints(StringBuilder out, RangeSeries series) {
        boolean histograms = false;
        boolean first = true;
        for (int i = 0; i < series.size(); i++) {
            if (series.histogram(i) != null) {
                histograms = true;
                continue;
            }
            out.append(first ? ",\"values\":[" : ",");
            first = false;
            writePoint(out, series.timestamp(i), series.value(i));
        }
        if (!first) {
            out.append(']');
        }
        if (histograms) {
            first = true;
            for (int i = 0; i < series.size(); i++) {
                FloatHistogram histogram = series.histogram(i);
                if (histogram != null) {
                    out.append(first ? ",\"histograms\":[" : ",");
                    first = false;
                    writeHistogramPoint(out, series.timestamp(i), histogram);
                }
            }
            out.append(']');
        }
    }

    /**
     * {@code [<seconds>,{"count":"…","sum":"…","buckets":[[<boundaries>,"<lower>","<upper>","<count>"],…]}]}: every
     * bucket with observations from the lowest up; boundaries 0 = (lower, upper], 1 = [lower, upper), 3 = both closed.
     */
    public static void writeHistogramPoint(StringBuilder out, long timestampMillis, FloatHistogram histogram) {
        out.append('[');
        writeTimestamp(out, timestampMillis);
        out.append(",{\"count\":\"");
        appendSampleValue(out, histogram.count());
        out.append("\",\"sum\":\"");
        appendSampleValue(out, histogram.sum());
        out.append('"');
        boolean found = false;
        AllBucketsIterator buckets = new AllBucketsIterator(histogram);
        while (buckets.next()) {
            if (buckets.count() == 0) {
                continue;
            }
            out.append(found ? ",[" : ",\"buckets\":[[");
            found = true;
            int boundaries = buckets.lowerInclusive() ? (buckets.upperInclusive() ? 3 : 1) : (buckets.upperInclusive() ? 0 : 2);
            out.append(boundaries).append(",\"");
            appendSampleValue(out, buckets.lower());
            out.append("\",\"");
            appendSampleValue(out, buckets.upper());
            out.append("\",\"");
            appendSampleValue(out, buckets.count());
            out.append("\"]");
        }
        if (found) {
            out.append(']');
        }
        out.append("}]");
    }

    /** {@code [<seconds>,"<value>"]} as Prometheus' jsoniter point encoder writes it. */
    public static void writePoint(StringBuilder out, long timestampMillis, double value) {
        out.append('[');
        writeTimestamp(out, timestampMillis);
        out.append(",\"");
        appendSampleValue(out, value);
        out.append("\"]");
    }

    /** Milliseconds as seconds: integer part, then ".ddd" when the milliseconds are not zero (no trimming). */
    public static void writeTimestamp(StringBuilder out, long millis) {
        long t = millis;
        if (t < 0) {
            out.append('-');
            t = -t;
        }
        out.append(t / 1000);
        long fraction = t % 1000;
        if (fraction != 0) {
            out.append('.');
            if (fraction < 100) {
                out.append('0');
            }
            if (fraction < 10) {
                out.append('0');
            }
            out.append(fraction);
        }
    }

    /** A sample value as Prometheus' API writes it: 'e' format when |v| < 1e-6 or ≥ 1e21, else 'f'; shortest digits. */
    public static String sampleValue(double value) {
        StringBuilder out = new StringBuilder(24);
        appendSampleValue(out, value);
        return out.toString();
    }

    static void appendSampleValue(StringBuilder out, double value) {
        double abs = Math.abs(value);
        if (abs != 0 && !Double.isNaN(value) && !Double.isInfinite(value) && (abs < 1e-6 || abs >= 1e21)) {
            out.append(exponentFloat(value));
        } else {
            appendPlainFloat(out, value);
        }
    }

    /**
     * {@link #plainFloat} appended to {@code out}: Java's shortest digits are written straight into the builder (no
     * String per value) and, when Java chose its E notation (below 1e-3, from 1e7), moved into place there.
     */
    static void appendPlainFloat(StringBuilder out, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15 && value != 0) {
            out.append((long) value);
            return;
        }
        if (Double.isNaN(value) || Double.isInfinite(value) || value == 0) {
            out.append(plainFloatExact(value));
            return;
        }
        int mark = out.length();
        out.append(value);
        int exponentAt = -1;
        int digits = 0;
        boolean leading = true;
        for (int i = mark; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c == 'E') {
                exponentAt = i;
                break;
            }
            if (c >= '1' && c <= '9' || c == '0' && !leading) {
                leading = false;
                digits++;
            }
        }
        if (digits <= 2) {
            // one or two digits: Java may have written two where Go's shortest is one
            out.setLength(mark);
            out.append(plainFloatExact(value));
        } else if (exponentAt >= 0) {
            movePointOfJavaExponentForm(out, mark, exponentAt);
        }
    }

    /** Rewrites Java's {@code [-]d.dddE[-]n} at {@code mark} in plain notation with the same digits. */
    private static void movePointOfJavaExponentForm(StringBuilder out, int mark, int exponentAt) {
        int exponent = Integer.parseInt(out, exponentAt + 1, out.length(), 10);
        boolean negative = out.charAt(mark) == '-';
        char[] digits = new char[exponentAt - mark];
        int count = 0;
        for (int i = mark; i < exponentAt; i++) {
            char c = out.charAt(i);
            if (c >= '0' && c <= '9') {
                digits[count++] = c;
            }
        }
        while (count > 1 && digits[count - 1] == '0') {
            count--;
        }
        out.setLength(mark);
        if (negative) {
            out.append('-');
        }
        if (exponent < 0) {
            out.append("0.");
            for (int i = -1; i > exponent; i--) {
                out.append('0');
            }
            out.append(digits, 0, count);
        } else if (count <= exponent + 1) {
            out.append(digits, 0, count);
            for (int i = count; i <= exponent; i++) {
                out.append('0');
            }
        } else {
            out.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, count - exponent - 1);
        }
    }

    /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}. */
    public static String plainFloat(double value) {
        StringBuilder out = new StringBuilder(24);
        appendPlainFloat(out, value);
        return out.toString();
    }

    /** {@link #plainFloat} without the fast paths: the reference they are tested against. */
    static String plainFloatExact(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        return shortest(value).toPlainString();
    }

    /**
     * The shortest decimal that reads back as {@code value} (Go's precision -1). Java's Double.toString is shortest
     * except that it never gives fewer than two digits (4.9E-324 where Go writes 5e-324): try one digit then.
     */
    private static BigDecimal shortest(double value) {
        BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        if (decimal.precision() == 2) {
            BigDecimal one = decimal.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
            if (Double.parseDouble(one.toString()) == value) {
                return one.stripTrailingZeros();
            }
        }
        return decimal;
    }

    /** Go's {@code strconv.FormatFloat(v, 'e', -1, 64)}: d.ddde±dd with at least two exponent digits. */
    public static String exponentFloat(double value) {
        BigDecimal decimal = shortest(value);
        int exponent = decimal.precision() - decimal.scale() - 1;
        String digits = decimal.unscaledValue().abs().toString();
        StringBuilder out = new StringBuilder(digits.length() + 8);
        if (value < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int magnitude = Math.abs(exponent);
        if (magnitude < 10) {
            out.append('0');
        }
        return out.append(magnitude).toString();
    }

    /** A float64 as Go's encoding/json writes a number ('f', or 'e' with a trimmed exponent below 1e-6 / from 1e21). */
    public static String jsonFloat(double value) {
        double abs = Math.abs(value);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
            String e = exponentFloat(value);
            // encoding/json turns e-07 into e-7
            int at = e.indexOf('e');
            if (e.length() - at == 4 && e.charAt(at + 2) == '0') {
                e = e.substring(0, at + 2) + e.substring(at + 3);
            }
            return e;
        }
        return plainFloat(value);
    }

    public static void writeLabels(StringBuilder out, Labels labels) {
        out.append('{');
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeString(out, labels.name(i));
            out.append(':');
            writeString(out, labels.value(i));
        }
        out.append('}');
    }

    public static void writeStrings(StringBuilder out, Collection<String> values) {
        out.append('[');
        boolean first = true;
        for (String value : values) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, value);
        }
        out.append(']');
    }

    public static String strings(List<String> values) {
        StringBuilder out = new StringBuilder();
        writeStrings(out, values);
        return out.toString();
    }

    public static String labelsList(List<Labels> values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeLabels(out, values.get(i));
        }
        return out.append(']').toString();
    }

    /** A JSON string with Go encoding/json's escaping (HTML characters, U+2028/9 and invalid surrogates included). */
    public static void writeString(StringBuilder out, String value) {
        out.append('"');
        if (needsNoEscape(value)) {
            out.append(value).append('"');
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> appendUnicodeEscape(out, c);
                default -> {
                    if (c < 0x20) {
                        appendUnicodeEscape(out, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                        out.append(c).append(value.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd"); // Go replaces invalid UTF-8 with U+FFFD
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Printable ASCII without quote, backslash or HTML characters: written as it is. */
    private static boolean needsNoEscape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
                return false;
            }
        }
        return true;
    }

    private static void appendUnicodeEscape(StringBuilder out, char c) {
        out.append("\\u00");
        if (c >= 0x2000) {
            out.setLength(out.length() - 2);
        }
        String hex = Integer.toHexString(c);
        out.append("0".repeat((c >= 0x2000 ? 4 : 2) - hex.length())).append(hex);
    }
}
