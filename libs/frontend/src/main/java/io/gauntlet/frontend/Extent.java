package io.gauntlet.frontend;

import io.gauntlet.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A cached piece of one range query's answer: the evaluation times {@code [start, end]} of its grid and the answer for
 * them, computed by a downstream request that started at {@code computedAt} (ms, wall clock): block events that arrived
 * after that may make it stale.
 */
public record Extent(long start, long end, long computedAt, RangeAnswer answer) {
    private static final int FORMAT = 1;

    /** Extents sorted by start, overlapping or adjacent ones (on the step grid) merged, the older computation kept. */
    public static List<Extent> coalesce(List<Extent> extents, long step) {
        List<Extent> sorted = new ArrayList<>(extents);
        sorted.sort(Comparator.comparingLong(Extent::start));
        List<Extent> out = new ArrayList<>();
        for (Extent next : sorted) {
            if (!out.isEmpty() && next.start <= out.getLast().end + step) {
                Extent previous = out.removeLast();
                if (next.end <= previous.end) {
                    out.add(new Extent(previous.start, previous.end, Math.min(previous.computedAt, next.computedAt), previous.answer));
                } else {
                    RangeAnswer tail = next.answer.slice(previous.end + step, next.end);
                    out.add(new Extent(previous.start, next.end, Math.min(previous.computedAt, next.computedAt),
                            RangeAnswer.concat(List.of(previous.answer, tail))));
                }
            } else {
                out.add(next);
            }
        }
        return out;
    }

    /** The cache value of one key: the key itself (hashed keys may collide) and its extents. */
    public static byte[] encode(String key, List<Extent> extents) {
        ByteWriter out = new ByteWriter();
        out.varint(FORMAT);
        out.string(key);
        out.varint(extents.size());
        for (Extent extent : extents) {
            out.varint(extent.start);
            out.varint(extent.end - extent.start);
            out.varint(extent.computedAt);
            List<RangeAnswer.Series> series = extent.answer.series();
            out.varint(series.size());
            for (RangeAnswer.Series s : series) {
                out.varint(s.labels().size());
                for (int i = 0; i < s.labels().size(); i++) {
                    out.string(s.labels().name(i));
                    out.string(s.labels().value(i));
                }
                out.bytes(s.metric());
                out.varint(s.size());
                long previous = extent.start;
                for (long timestamp : s.timestamps()) {
                    out.varint(timestamp - previous);
                    previous = timestamp;
                }
                int previousEnd = 0;
                for (int end : s.valueEnds()) {
                    out.varint(end - previousEnd);
                    previousEnd = end;
                }
                out.bytes(s.valueText());
            }
        }
        return out.toByteArray();
    }

    /** The extents of {@code key} in a cache value; empty when the value is of another key or format. */
    public static List<Extent> decode(String key, byte[] value) {
        try {
            ByteReader in = new ByteReader(value);
            if (in.varint() != FORMAT || !in.string().equals(key)) {
                return List.of();
            }
            int count = (int) in.varint();
            List<Extent> extents = new ArrayList<>(count);
            for (int e = 0; e < count; e++) {
                long start = in.varint();
                long end = start + in.varint();
                long computedAt = in.varint();
                int seriesCount = (int) in.varint();
                List<RangeAnswer.Series> series = new ArrayList<>(seriesCount);
                for (int s = 0; s < seriesCount; s++) {
                    String[] sorted = new String[(int) in.varint() * 2];
                    for (int i = 0; i < sorted.length; i++) {
                        sorted[i] = in.string();
                    }
                    byte[] metric = in.bytes();
                    int points = (int) in.varint();
                    long[] timestamps = new long[points];
                    long previous = start;
                    for (int i = 0; i < points; i++) {
                        previous += in.varint();
                        timestamps[i] = previous;
                    }
                    int[] ends = new int[points];
                    int previousEnd = 0;
                    for (int i = 0; i < points; i++) {
                        previousEnd += (int) in.varint();
                        ends[i] = previousEnd;
                    }
                    byte[] text = in.bytes();
                    if (points > 0 && ends[points - 1] != text.length) {
                        return List.of();
                    }
                    series.add(new RangeAnswer.Series(Labels.ofSortedPairs(sorted), metric, timestamps, text, ends));
                }
                extents.add(new Extent(start, end, computedAt, new RangeAnswer(series, List.of())));
            }
            return extents;
        } catch (RuntimeException e) {
            return List.of(); // a value we cannot read is a miss
        }
    }

    private static final class ByteWriter {
        private byte[] buffer = new byte[1024];
        private int length;

        private void ensure(int more) {
            if (length + more > buffer.length) {
                buffer = java.util.Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
            }
        }

        void varint(long value) {
            ensure(10);
            long v = value;
            while ((v & ~0x7FL) != 0) {
                buffer[length++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buffer[length++] = (byte) v;
        }

        void bytes(byte[] data) {
            varint(data.length);
            ensure(data.length);
            System.arraycopy(data, 0, buffer, length, data.length);
            length += data.length;
        }

        void string(String value) {
            bytes(value.getBytes(StandardCharsets.UTF_8));
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buffer, length);
        }
    }

    private static final class ByteReader {
        private final byte[] data;
        private int position;

        ByteReader(byte[] data) {
            this.data = data;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = data[position++] & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalStateException("varint too long");
        }

        byte[] bytes() {
            int length = (int) varint();
            if (length < 0 || position + length > data.length) {
                throw new IllegalStateException("truncated value");
            }
            byte[] out = java.util.Arrays.copyOfRange(data, position, position + length);
            position += length;
            return out;
        }

        String string() {
            int length = (int) varint();
            if (length < 0 || position + length > data.length) {
                throw new IllegalStateException("truncated value");
            }
            String out = new String(data, position, length, StandardCharsets.UTF_8);
            position += length;
            return out;
        }
    }
}
