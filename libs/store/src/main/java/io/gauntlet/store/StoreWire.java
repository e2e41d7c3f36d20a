package io.gauntlet.store;

import com.google.protobuf.UnsafeByteOperations;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.Func;
import io.gauntlet.proto.thanos.Grouping;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.QueryHints;
import io.gauntlet.proto.thanos.Range;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.XxHash64;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SelectHints;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Conversions between Gauntlet values and the storepb wire messages: labels, matchers, and chunks (TSDB encoding
 * byte 1 XOR / 2 histogram / 3 float histogram ↔ storepb 0 / 1 / 2; 0xFF aggregate chunks ↔ AggrChunk fields).
 */
public final class StoreWire {
    private static final int TSDB_XOR = 1;
    private static final int TSDB_HISTOGRAM = 2;
    private static final int TSDB_FLOAT_HISTOGRAM = 3;
    /** The TSDB encoding byte of a Thanos downsampled (aggregate) chunk. */
    public static final int TSDB_AGGREGATE = 0xFF;

    private StoreWire() {
    }

    public static List<Label> toWire(Labels labels) {
        List<Label> out = new ArrayList<>(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            out.add(Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)).build());
        }
        return out;
    }

    /** Labels from the wire; tolerates unsorted input (sorting costs nothing when already sorted). */
    public static Labels fromWire(List<Label> labels) {
        String[] pairs = new String[labels.size() * 2];
        boolean sorted = true;
        for (int i = 0; i < labels.size(); i++) {
            Label label = labels.get(i);
            pairs[2 * i] = label.getName();
            pairs[2 * i + 1] = label.getValue();
            if (label.getValue().isEmpty() || (i > 0 && pairs[2 * i - 2].compareTo(pairs[2 * i]) >= 0)) {
                sorted = false;
            }
        }
        if (sorted) {
            return Labels.ofSortedPairs(pairs);
        }
        Labels.Builder builder = Labels.builder();
        for (Label label : labels) {
            builder.set(label.getName(), label.getValue());
        }
        return builder.build();
    }

    /** @throws IllegalArgumentException for an invalid regular expression or an unknown matcher type */
    public static LabelMatcher fromWire(io.gauntlet.proto.thanos.LabelMatcher matcher) {
        LabelMatcher.Type type = switch (matcher.getType()) {
            case EQ -> LabelMatcher.Type.EQUAL;
            case NEQ -> LabelMatcher.Type.NOT_EQUAL;
            case RE -> LabelMatcher.Type.REGEX;
            case NRE -> LabelMatcher.Type.NOT_REGEX;
            case UNRECOGNIZED -> throw new IllegalArgumentException("unknown matcher type " + matcher.getTypeValue() + " for label " + matcher.getName());
        };
        return LabelMatcher.of(type, matcher.getName(), matcher.getValue());
    }

    public static io.gauntlet.proto.thanos.LabelMatcher toWire(LabelMatcher matcher) {
        io.gauntlet.proto.thanos.LabelMatcher.Type type = switch (matcher.type()) {
            case EQUAL -> io.gauntlet.proto.thanos.LabelMatcher.Type.EQ;
            case NOT_EQUAL -> io.gauntlet.proto.thanos.LabelMatcher.Type.NEQ;
            case REGEX -> io.gauntlet.proto.thanos.LabelMatcher.Type.RE;
            case NOT_REGEX -> io.gauntlet.proto.thanos.LabelMatcher.Type.NRE;
        };
        return io.gauntlet.proto.thanos.LabelMatcher.newBuilder().setType(type).setName(matcher.name()).setValue(matcher.value()).build();
    }

    public static List<LabelMatcher> fromWireMatchers(List<io.gauntlet.proto.thanos.LabelMatcher> matchers) {
        List<LabelMatcher> out = new ArrayList<>(matchers.size());
        for (io.gauntlet.proto.thanos.LabelMatcher matcher : matchers) {
            out.add(fromWire(matcher));
        }
        return out;
    }

    /** A selection's PromQL context as Thanos' {@code query_hints}: step, enclosing function, grouping, range. */
    public static QueryHints toWire(SelectHints hints) {
        return QueryHints.newBuilder().setStepMillis(hints.step())
                .setFunc(Func.newBuilder().setName(hints.function()))
                .setGrouping(Grouping.newBuilder().setBy(hints.by()).addAllLabels(hints.grouping()))
                .setRange(Range.newBuilder().setMillis(hints.range()))
                .build();
    }

    public static List<io.gauntlet.proto.thanos.LabelMatcher> toWireMatchers(List<LabelMatcher> matchers) {
        List<io.gauntlet.proto.thanos.LabelMatcher> out = new ArrayList<>(matchers.size());
        for (LabelMatcher matcher : matchers) {
            out.add(toWire(matcher));
        }
        return out;
    }

    /**
     * A TSDB chunk as a storepb AggrChunk: raw chunks go to {@code raw}, 0xFF aggregate chunks are split into their
     * aggregate fields. Data bytes are passed through, never decoded.
     */
    public static AggrChunk toWire(EncodedChunk chunk, boolean withHash) throws CorruptedDataException, UnsupportedEncodingException {
        AggrChunk.Builder out = AggrChunk.newBuilder().setMinTime(chunk.minTime()).setMaxTime(chunk.maxTime());
        if (chunk.encoding() == TSDB_AGGREGATE) {
            AggregateChunk aggregate = AggregateChunk.decode(chunk.data());
            for (AggregateType type : AggregateType.values()) {
                if (!aggregate.has(type)) {
                    continue;
                }
                Chunk part = wireChunk(aggregate.encodingCode(type), aggregate.toByteArray(type), withHash);
                switch (type) {
                    case COUNT -> out.setCount(part);
                    case SUM -> out.setSum(part);
                    case MIN -> out.setMin(part);
                    case MAX -> out.setMax(part);
                    case COUNTER -> out.setCounter(part);
                }
            }
        } else {
            out.setRaw(wireChunk(chunk.encoding(), chunk.data(), withHash));
        }
        return out.build();
    }

    /** The TSDB chunk a storepb AggrChunk carries: raw as is, aggregates re-assembled into one 0xFF chunk. */
    public static EncodedChunk fromWire(AggrChunk chunk) throws UnsupportedEncodingException {
        if (chunk.hasRaw()) {
            return new EncodedChunk(chunk.getMinTime(), chunk.getMaxTime(), tsdbEncoding(chunk.getRaw()), chunk.getRaw().getData().toByteArray());
        }
        Map<AggregateType, AggregateChunk.Part> parts = new EnumMap<>(AggregateType.class);
        addPart(parts, AggregateType.COUNT, chunk.hasCount() ? chunk.getCount() : null);
        addPart(parts, AggregateType.SUM, chunk.hasSum() ? chunk.getSum() : null);
        addPart(parts, AggregateType.MIN, chunk.hasMin() ? chunk.getMin() : null);
        addPart(parts, AggregateType.MAX, chunk.hasMax() ? chunk.getMax() : null);
        addPart(parts, AggregateType.COUNTER, chunk.hasCounter() ? chunk.getCounter() : null);
        if (parts.isEmpty()) {
            throw new UnsupportedEncodingException("storepb chunk [" + chunk.getMinTime() + ", " + chunk.getMaxTime() + "] carries neither raw data nor aggregates");
        }
        return new EncodedChunk(chunk.getMinTime(), chunk.getMaxTime(), TSDB_AGGREGATE, AggregateChunk.encodeParts(parts));
    }

    /** Each aggregate keeps its own encoding: XOR for floats, float histogram for a native histogram's sum and counter. */
    private static void addPart(Map<AggregateType, AggregateChunk.Part> parts, AggregateType type, Chunk part)
            throws UnsupportedEncodingException {
        if (part == null) {
            return;
        }
        if (part.getData().isEmpty()) {
            throw new UnsupportedEncodingException("downsampled " + type + " chunk must not be empty, got " + part.getType()
                    + " of 0 bytes");
        }
        parts.put(type, new AggregateChunk.Part(tsdbEncoding(part.getTypeValue()), part.getData().toByteArray()));
    }

    /**
     * Number of samples in a chunk, read from its header (XOR and histogram chunks start with a 2-byte big-endian
     * count; aggregate chunks count their first aggregate's samples). Used for limits, never decodes.
     */
    public static int sampleCount(EncodedChunk chunk) throws CorruptedDataException {
        if (chunk.encoding() == TSDB_AGGREGATE) {
            AggregateChunk aggregate = AggregateChunk.decode(chunk.data());
            for (AggregateType type : AggregateType.values()) {
                if (aggregate.has(type)) {
                    return headerCount(aggregate.toByteArray(type));
                }
            }
            return 0;
        }
        return headerCount(chunk.data());
    }

    private static int headerCount(byte[] data) throws CorruptedDataException {
        if (data.length < 2) {
            throw new CorruptedDataException("", "chunk", 0, "chunk of " + data.length + " bytes has no sample count header");
        }
        return ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    }

    /** The {@code storepb.Chunk.Encoding} number of a TSDB chunk encoding byte (XOR 1 → 0, histogram 2 → 1, float histogram 3 → 2). */
    public static int wireChunkType(int tsdbEncoding) throws UnsupportedEncodingException {
        return switch (tsdbEncoding) {
            case TSDB_XOR -> Chunk.Encoding.XOR_VALUE;
            case TSDB_HISTOGRAM -> Chunk.Encoding.HISTOGRAM_VALUE;
            case TSDB_FLOAT_HISTOGRAM -> Chunk.Encoding.FLOAT_HISTOGRAM_VALUE;
            default -> throw new UnsupportedEncodingException("chunk encoding " + tsdbEncoding + " has no StoreAPI equivalent");
        };
    }

    /** The TSDB chunk encoding byte of a {@code storepb.Chunk.Encoding} number, the inverse of {@link #wireChunkType}. */
    public static int tsdbEncoding(int wireChunkType) throws UnsupportedEncodingException {
        return switch (wireChunkType) {
            case Chunk.Encoding.XOR_VALUE -> TSDB_XOR;
            case Chunk.Encoding.HISTOGRAM_VALUE -> TSDB_HISTOGRAM;
            case Chunk.Encoding.FLOAT_HISTOGRAM_VALUE -> TSDB_FLOAT_HISTOGRAM;
            default -> throw new UnsupportedEncodingException("unknown storepb chunk type " + wireChunkType);
        };
    }

    private static Chunk wireChunk(int tsdbEncoding, byte[] data, boolean withHash) throws UnsupportedEncodingException {
        // chunk data is immutable by contract: wrap instead of copying
        Chunk.Builder out = Chunk.newBuilder().setTypeValue(wireChunkType(tsdbEncoding)).setData(UnsafeByteOperations.unsafeWrap(data));
        if (withHash) {
            out.setHash(XxHash64.hash(data));
        }
        return out.build();
    }

    private static int tsdbEncoding(Chunk chunk) throws UnsupportedEncodingException {
        return tsdbEncoding(chunk.getTypeValue());
    }
}
