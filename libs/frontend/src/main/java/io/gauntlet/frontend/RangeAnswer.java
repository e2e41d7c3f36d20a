package io.gauntlet.frontend;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * A successful range query answer ({@code resultType} matrix) as the querier wrote it: series sorted by labels, each
 * with its {@code metric} object and point values kept as the querier's bytes, so parts of a range merge into exactly
 * the bytes the querier writes for the whole range (Prometheus' API sorts a range answer by labels, and a point's text
 * depends only on its own timestamp and value).
 */
public final class RangeAnswer {
    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final byte[] PREFIX = "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[".getBytes(StandardCharsets.US_ASCII);

    private final List<Series> series;
    private final List<String> warnings;

    /** One series: its labels (for ordering), its {@code metric} JSON, times (ms) and value texts (ASCII). */
    public record Series(Labels labels, byte[] metric, long[] timestamps, byte[] valueText, int[] valueEnds) {
        public int size() {
            return timestamps.length;
        }

        int valueStart(int i) {
            return i == 0 ? 0 : valueEnds[i - 1];
        }

        /** The points with times in {@code [from, to]}; null when none. */
        Series slice(long from, long to) {
            int first = lowerBound(timestamps, from);
            int last = lowerBound(timestamps, to + 1); // exclusive
            if (first >= last) {
                return null;
            }
            if (first == 0 && last == timestamps.length) {
                return this;
            }
            int textFrom = valueStart(first);
            int textTo = valueEnds[last - 1];
            int[] ends = new int[last - first];
            for (int i = first; i < last; i++) {
                ends[i - first] = valueEnds[i] - textFrom;
            }
            return new Series(labels, metric, Arrays.copyOfRange(timestamps, first, last), Arrays.copyOfRange(valueText, textFrom, textTo), ends);
        }
    }

    /** The querier's answer did not have the shape this class merges (another result type, histograms, …). */
    public static final class UnmergeableException extends Exception {
        UnmergeableException(String message) {
            super(message);
        }
    }

    public RangeAnswer(List<Series> series, List<String> warnings) {
        this.series = List.copyOf(series);
        this.warnings = List.copyOf(warnings);
    }

    public static RangeAnswer empty() {
        return new RangeAnswer(List.of(), List.of());
    }

    public List<Series> series() {
        return series;
    }

    public List<String> warnings() {
        return warnings;
    }

    public boolean hasWarnings() {
        return !warnings.isEmpty();
    }

    /** Points in the answer, over all series. */
    public long points() {
        long points = 0;
        for (Series s : series) {
            points += s.size();
        }
        return points;
    }

    /** Parses {@code {"status":"success","data":{"resultType":"matrix","result":[…]}[,"warnings":[…]]}}. */
    public static RangeAnswer parse(byte[] json) throws UnmergeableException {
        try (JsonParser parser = JSON.createParser(json)) {
            expect(parser.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
            List<Series> series = null;
            List<String> warnings = List.of();
            boolean success = false;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                switch (field) {
                    case "status" -> success = "success".equals(parser.getText());
                    case "data" -> series = parseData(parser, json);
                    case "warnings" -> warnings = parseStrings(parser);
                    default -> throw new UnmergeableException("unexpected field \"" + field + "\"");
                }
            }
            expect(success && series != null, "not a successful answer with data");
            return new RangeAnswer(series, warnings);
        } catch (IOException | RuntimeException e) {
            throw new UnmergeableException("malformed answer: " + e.getMessage());
        }
    }

    private static List<Series> parseData(JsonParser parser, byte[] json) throws IOException, UnmergeableException {
        expect(parser.currentToken() == JsonToken.START_OBJECT, "data is not an object");
        List<Series> series = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            parser.nextToken();
            switch (field) {
                case "resultType" -> expect("matrix".equals(parser.getText()), "resultType " + parser.getText());
                case "result" -> series = parseResult(parser, json);
                default -> throw new UnmergeableException("unexpected data field \"" + field + "\"");
            }
        }
        expect(series != null, "no result");
        return series;
    }

    private static List<Series> parseResult(JsonParser parser, byte[] json) throws IOException, UnmergeableException {
        expect(parser.currentToken() == JsonToken.START_ARRAY, "result is not an array");
        List<Series> series = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            Labels labels = null;
            byte[] metric = null;
            long[] timestamps = new long[0];
            byte[] text = new byte[0];
            int[] ends = new int[0];
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                parser.nextToken();
                if (field.equals("metric")) {
                    expect(parser.currentToken() == JsonToken.START_OBJECT, "metric is not an object");
                    int from = (int) parser.currentTokenLocation().getByteOffset();
                    Labels.Builder builder = Labels.builder();
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String name = parser.currentName();
                        parser.nextToken();
                        builder.set(name, parser.getText());
                    }
                    int to = (int) parser.currentLocation().getByteOffset();
                    metric = Arrays.copyOfRange(json, from, to);
                    labels = builder.build();
                } else if (field.equals("values")) {
                    expect(parser.currentToken() == JsonToken.START_ARRAY, "values is not an array");
                    long[] times = new long[16];
                    int[] valueEnds = new int[16];
                    byte[] values = new byte[256];
                    int textLength = 0;
                    int count = 0;
                    while (parser.nextToken() == JsonToken.START_ARRAY) {
                        expect(parser.nextToken() == JsonToken.VALUE_NUMBER_FLOAT || parser.currentToken() == JsonToken.VALUE_NUMBER_INT,
                                "point time is not a number");
                        long time = millis(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
                        expect(parser.nextToken() == JsonToken.VALUE_STRING, "point value is not a string");
                        if (count == times.length) {
                            times = Arrays.copyOf(times, count * 2);
                            valueEnds = Arrays.copyOf(valueEnds, count * 2);
                        }
                        times[count] = time;
                        int length = parser.getTextLength();
                        if (textLength + length > values.length) {
                            values = Arrays.copyOf(values, Math.max(values.length * 2, textLength + length));
                        }
                        textLength = appendAscii(parser.getTextCharacters(), parser.getTextOffset(), length, values, textLength);
                        valueEnds[count] = textLength;
                        count++;
                        expect(parser.nextToken() == JsonToken.END_ARRAY, "point has more than two elements");
                    }
                    timestamps = Arrays.copyOf(times, count);
                    ends = Arrays.copyOf(valueEnds, count);
                    text = Arrays.copyOf(values, textLength);
                } else {
                    throw new UnmergeableException("unexpected series field \"" + field + "\"");
                }
            }
            expect(labels != null, "series without metric");
            series.add(new Series(labels, metric, timestamps, text, ends));
        }
        return series;
    }

    /** Copies a value's characters into {@code out} at {@code at} as ASCII; returns the new length. */
    private static int appendAscii(char[] chars, int offset, int length, byte[] out, int at) throws IOException {
        for (int i = 0; i < length; i++) {
            char c = chars[offset + i];
            if (c > 0x7e || c < 0x20 || c == '"' || c == '\\') {
                throw new IOException("sample value with a character JSON would escape");
            }
            out[at + i] = (byte) c;
        }
        return at + length;
    }

    private static List<String> parseStrings(JsonParser parser) throws IOException, UnmergeableException {
        expect(parser.currentToken() == JsonToken.START_ARRAY, "warnings is not an array");
        List<String> out = new ArrayList<>();
        while (parser.nextToken() == JsonToken.VALUE_STRING) {
            out.add(parser.getText());
        }
        return out;
    }

    /** Seconds as the API writes them ({@code 1690000000}, {@code 1690000000.5}, {@code -0.25}) to milliseconds, exactly. */
    static long millis(String seconds) {
        return millis(seconds.toCharArray(), 0, seconds.length());
    }

    /** As {@link #millis(String)}, over the parser's characters (no string a point). */
    static long millis(char[] chars, int offset, int length) {
        int at = offset;
        int end = offset + length;
        boolean negative = length > 0 && chars[at] == '-';
        if (negative) {
            at++;
        }
        long whole = 0;
        int digits = 0;
        while (at < end && chars[at] >= '0' && chars[at] <= '9') {
            whole = Math.multiplyExact(whole, 10) + (chars[at++] - '0');
            digits++;
        }
        long fraction = 0;
        int fractionDigits = 0;
        if (at < end && chars[at] == '.') {
            at++;
            while (at < end && chars[at] >= '0' && chars[at] <= '9') {
                if (fractionDigits < 3) {
                    fraction = fraction * 10 + (chars[at] - '0');
                    fractionDigits++;
                }
                at++;
            }
        }
        if (at != end || digits == 0) { // an exponent or something else: the slow, general way
            return Math.round(Double.parseDouble(new String(chars, offset, length)) * 1000);
        }
        for (; fractionDigits < 3; fractionDigits++) {
            fraction *= 10;
        }
        long millis = whole * 1000 + fraction;
        return negative ? -millis : millis;
    }

    private static void expect(boolean condition, String problem) throws UnmergeableException {
        if (!condition) {
            throw new UnmergeableException(problem);
        }
    }

    static int lowerBound(long[] sorted, long key) {
        int low = 0;
        int high = sorted.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (sorted[mid] < key) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** The points with times in {@code [from, to]}; series without any are dropped, warnings kept. */
    public RangeAnswer slice(long from, long to) {
        List<Series> out = new ArrayList<>(series.size());
        for (Series s : series) {
            Series sliced = s.slice(from, to);
            if (sliced != null) {
                out.add(sliced);
            }
        }
        return new RangeAnswer(out, warnings);
    }

    /**
     * Answers for consecutive, disjoint time ranges (in time order) as one answer: series in label order, each
     * series' points concatenated in time order, warnings once each in order of appearance.
     */
    public static RangeAnswer concat(List<RangeAnswer> inTimeOrder) {
        if (inTimeOrder.size() == 1) {
            return inTimeOrder.getFirst();
        }
        Map<Labels, List<Series>> byLabels = new TreeMap<>();
        Set<String> warnings = new LinkedHashSet<>();
        for (RangeAnswer answer : inTimeOrder) {
            for (Series s : answer.series) {
                byLabels.computeIfAbsent(s.labels, k -> new ArrayList<>(inTimeOrder.size())).add(s);
            }
            warnings.addAll(answer.warnings);
        }
        List<Series> merged = new ArrayList<>(byLabels.size());
        for (List<Series> pieces : byLabels.values()) {
            merged.add(pieces.size() == 1 ? pieces.getFirst() : join(pieces));
        }
        return new RangeAnswer(merged, List.copyOf(warnings));
    }

    private static Series join(List<Series> pieces) {
        int points = 0;
        int textLength = 0;
        for (Series piece : pieces) {
            points += piece.size();
            textLength += piece.valueText.length;
        }
        long[] timestamps = new long[points];
        int[] ends = new int[points];
        byte[] text = new byte[textLength];
        int at = 0;
        int textAt = 0;
        for (Series piece : pieces) {
            System.arraycopy(piece.timestamps, 0, timestamps, at, piece.size());
            System.arraycopy(piece.valueText, 0, text, textAt, piece.valueText.length);
            for (int i = 0; i < piece.size(); i++) {
                ends[at + i] = piece.valueEnds[i] + textAt;
            }
            at += piece.size();
            textAt += piece.valueText.length;
        }
        Series first = pieces.getFirst();
        return new Series(first.labels, first.metric, timestamps, text, ends);
    }

    /** The answer as the querier writes it. */
    public byte[] toJson() {
        return toJson(List.of(this));
    }

    /**
     * {@code concat(inTimeOrder).toJson()} without building the merged answer: each part's series (sorted by labels)
     * are merged as they are written, and a series' points are written from the parts' own arrays.
     */
    public static byte[] toJson(List<RangeAnswer> inTimeOrder) {
        long size = PREFIX.length + 64;
        Set<String> merged = new LinkedHashSet<>();
        for (RangeAnswer answer : inTimeOrder) {
            for (Series s : answer.series) {
                size += s.metric.length + 24 + s.valueText.length + s.size() * 22L;
            }
            merged.addAll(answer.warnings);
        }
        // one answer keeps its warnings as they came; several: each once (as concat)
        List<String> warnings = inTimeOrder.size() == 1 ? inTimeOrder.getFirst().warnings : List.copyOf(merged);
        JsonBytes out = new JsonBytes((int) Math.min(Integer.MAX_VALUE - 16, size));
        out.write(PREFIX);
        if (inTimeOrder.size() == 1) {
            List<Series> series = inTimeOrder.getFirst().series;
            for (int i = 0; i < series.size(); i++) {
                out.ascii(i == 0 ? "{\"metric\":" : ",{\"metric\":");
                out.write(series.get(i).metric);
                out.ascii(",\"values\":[");
                out.points(series.get(i), true);
                out.ascii("]}");
            }
        } else {
            writeMerged(inTimeOrder, out);
        }
        out.ascii("]}");
        if (!warnings.isEmpty()) {
            out.ascii(",\"warnings\":");
            StringBuilder text = new StringBuilder();
            io.gauntlet.query.PrometheusJson.writeStrings(text, warnings);
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        out.writeByte('}');
        return out.toByteArray();
    }

    /** A part's series from {@code next} on, for the merge: ordered by the head's labels, then by the part's time order. */
    private static final class Cursor {
        final List<Series> series;
        final int part;
        int next;

        Cursor(List<Series> series, int part) {
            this.series = series;
            this.part = part;
        }

        Series head() {
            return series.get(next);
        }
    }

    /** The series of all parts in label order, the pieces of one label set joined in time order (as {@link #concat}). */
    private static void writeMerged(List<RangeAnswer> inTimeOrder, JsonBytes out) {
        PriorityQueue<Cursor> heads = new PriorityQueue<>(Math.max(1, inTimeOrder.size()), (a, b) -> {
            int byLabels = a.head().labels.compareTo(b.head().labels);
            return byLabels != 0 ? byLabels : Integer.compare(a.part, b.part);
        });
        for (int part = 0; part < inTimeOrder.size(); part++) {
            List<Series> series = sortedByLabels(inTimeOrder.get(part).series);
            if (!series.isEmpty()) {
                heads.add(new Cursor(series, part));
            }
        }
        boolean firstSeries = true;
        while (!heads.isEmpty()) {
            Cursor cursor = heads.poll();
            Series first = cursor.head();
            out.ascii(firstSeries ? "{\"metric\":" : ",{\"metric\":");
            firstSeries = false;
            out.write(first.metric);
            out.ascii(",\"values\":[");
            boolean firstPoint = out.points(first, true);
            advance(heads, cursor);
            while (!heads.isEmpty() && heads.peek().head().labels.equals(first.labels)) {
                Cursor same = heads.poll();
                firstPoint = out.points(same.head(), firstPoint);
                advance(heads, same);
            }
            out.ascii("]}");
        }
    }

    private static void advance(PriorityQueue<Cursor> heads, Cursor cursor) {
        cursor.next++;
        if (cursor.next < cursor.series.size()) {
            heads.add(cursor);
        }
    }

    /** The querier's order already (a stable sort otherwise, as the merge needs). */
    private static List<Series> sortedByLabels(List<Series> series) {
        for (int i = 1; i < series.size(); i++) {
            if (series.get(i - 1).labels.compareTo(series.get(i).labels) > 0) {
                List<Series> sorted = new ArrayList<>(series);
                sorted.sort((a, b) -> a.labels.compareTo(b.labels));
                return sorted;
            }
        }
        return series;
    }

    /** A growable byte buffer writing ASCII and Prometheus' timestamps without intermediate strings. */
    private static final class JsonBytes {
        private byte[] bytes;
        private int length;

        JsonBytes(int capacity) {
            bytes = new byte[Math.max(capacity, 64)];
        }

        private void ensure(int more) {
            if (length + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
            }
        }

        void writeByte(int b) {
            ensure(1);
            bytes[length++] = (byte) b;
        }

        void write(byte[] data) {
            write(data, 0, data.length);
        }

        void write(byte[] data, int offset, int count) {
            ensure(count);
            System.arraycopy(data, offset, bytes, length, count);
            length += count;
        }

        void ascii(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                bytes[length++] = (byte) text.charAt(i);
            }
        }

        /** As Prometheus writes a point's time: seconds, then ".ddd" when the milliseconds are not zero. */
        void timestamp(long millis) {
            ensure(24);
            long t = millis;
            if (t < 0) {
                bytes[length++] = '-';
                t = -t;
            }
            digits(t / 1000);
            long fraction = t % 1000;
            if (fraction != 0) {
                bytes[length++] = '.';
                bytes[length++] = (byte) ('0' + fraction / 100);
                bytes[length++] = (byte) ('0' + fraction / 10 % 10);
                bytes[length++] = (byte) ('0' + fraction % 10);
            }
        }

        private void digits(long value) {
            if (value >= 10) {
                digits(value / 10);
            }
            bytes[length++] = (byte) ('0' + value % 10);
        }

        /** A series' points, {@code [t,"v"]} each, comma-separated; returns whether still nothing was written. */
        boolean points(Series s, boolean nothingYet) {
            boolean first = nothingYet;
            for (int p = 0; p < s.size(); p++) {
                writeByte(first ? '[' : ',');
                if (!first) {
                    writeByte('[');
                }
                first = false;
                timestamp(s.timestamps[p]);
                ascii(",\"");
                write(s.valueText, s.valueStart(p), s.valueEnds[p] - s.valueStart(p));
                ascii("\"]");
            }
            return first;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, length);
        }
    }
}
