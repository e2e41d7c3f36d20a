package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.SeriesBatch;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Series answer decoder reads what protobuf reads, from generated messages of every shape, and refuses the rest clearly. */
class SeriesResponseDecoderTest {
    private final Random random = new Random(7);

    @Test
    void seriesAndBatchesDecodeAsTheGeneratedMessages() throws Exception {
        SeriesResponseDecoder decoder = new SeriesResponseDecoder("store-a");
        SeriesBatch.Builder batch = SeriesBatch.newBuilder();
        for (int i = 0; i < 40; i++) {
            Labels labels = Labels.of("__name__", "metric_" + (i % 3), "cluster", "eu-ü-" + i, "job", i % 5 == 0 ? "日本" : "node",
                    "zone", i % 2 == 0 ? "a" : "b");
            Series.Builder series = Series.newBuilder().addAllLabels(StoreWire.toWire(labels));
            for (EncodedChunk chunk : chunks(i)) {
                series.addChunks(StoreWire.toWire(chunk, i % 2 == 0));
            }
            SeriesResponse single = SeriesResponse.newBuilder().setSeries(series).build();
            // gRPC's own streams know their length; a decompressing stream does not
            assertThat(describe(decoder.parse(knownLength(single.toByteArray())))).isEqualTo(expected(single));
            assertThat(describe(decoder.parse(new ByteArrayInputStream(single.toByteArray())))).isEqualTo(expected(single));
            batch.addSeries(series);
        }
        SeriesResponse batched = SeriesResponse.newBuilder().setBatch(batch).build();
        assertThat(describe(decoder.parse(knownLength(batched.toByteArray())))).isEqualTo(expected(batched)).hasSize(40);
    }

    @Test
    void warningsHintsAndEmptyAnswers() {
        SeriesResponseDecoder decoder = new SeriesResponseDecoder("store-a");
        SeriesResponseDecoder.Decoded warning = decoder.parse(knownLength(SeriesResponse.newBuilder().setWarning("block 01X: löst").build().toByteArray()));
        assertThat(warning.warning()).isEqualTo("block 01X: löst");
        assertThat(warning.series()).isEmpty();
        SeriesResponseDecoder.Decoded hints = decoder.parse(knownLength(SeriesResponse.newBuilder()
                .setHints(Any.newBuilder().setTypeUrl("type.googleapis.com/hintspb.SeriesResponseHints").setValue(ByteString.copyFromUtf8("x"))).build()
                .toByteArray()));
        assertThat(hints.series()).isEmpty();
        assertThat(hints.warning()).isNull();
        assertThat(hints.error()).isNull();
        assertThat(decoder.parse(knownLength(new byte[0])).series()).isEmpty();
        SeriesResponseDecoder.Decoded skipChunks = decoder.parse(knownLength(SeriesResponse.newBuilder()
                .setSeries(Series.newBuilder().addAllLabels(StoreWire.toWire(Labels.of("a", "b")))).build().toByteArray()));
        assertThat(skipChunks.series()).singleElement().satisfies(s -> {
            assertThat(s.labels()).isEqualTo(Labels.of("a", "b"));
            assertThat(s.chunks()).isEmpty();
        });
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkippedAtEveryLevel() throws Exception {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(90, UnknownFieldSet.Field.newBuilder().addVarint(-1).addFixed32(7).addFixed64(9).addLengthDelimited(ByteString.copyFromUtf8("zz"))
                        .addGroup(UnknownFieldSet.newBuilder().addField(1, UnknownFieldSet.Field.newBuilder().addVarint(3).build()).build()).build())
                .build();
        EncodedChunk xor = chunks(1).getFirst();
        Series series = Series.newBuilder()
                .addLabels(Label.newBuilder().setName("__name__").setValue("up").setUnknownFields(unknown))
                .addLabels(Label.newBuilder().setName("job").setValue("api"))
                .addChunks(StoreWire.toWire(xor, true).toBuilder().setUnknownFields(unknown)
                        .setRaw(StoreWire.toWire(xor, true).getRaw().toBuilder().setUnknownFields(unknown)))
                .setUnknownFields(unknown).build();
        SeriesResponse single = SeriesResponse.newBuilder().setSeries(series).setUnknownFields(unknown).build();
        SeriesResponse batched = SeriesResponse.newBuilder().setBatch(SeriesBatch.newBuilder().addSeries(series).addSeries(series).setUnknownFields(unknown))
                .setUnknownFields(unknown).build();

        SeriesResponseDecoder decoder = new SeriesResponseDecoder("store-a");
        assertThat(describe(decoder.parse(knownLength(single.toByteArray())))).isEqualTo(expected(single))
                .containsExactly("up{job=\"api\"} " + describe(xor));
        assertThat(describe(decoder.parse(knownLength(batched.toByteArray())))).isEqualTo(expected(batched)).hasSize(2);
    }

    @Test
    void unsortedOrEmptyValuedLabelsAreNormalisedAsByTheGeneratedPath() throws Exception {
        Series series = Series.newBuilder().addLabels(label("job", "api")).addLabels(label("__name__", "up")).addLabels(label("empty", ""))
                .addLabels(label("job", "web")).build();
        SeriesResponse response = SeriesResponse.newBuilder().setSeries(series).build();
        assertThat(describe(new SeriesResponseDecoder("s").parse(knownLength(response.toByteArray())))).isEqualTo(expected(response))
                .containsExactly("up{job=\"web\"} ");
    }

    @Test
    void repeatedStringsAreSharedWithinACall() {
        SeriesResponseDecoder decoder = new SeriesResponseDecoder("s");
        byte[] bytes = SeriesResponse.newBuilder().setSeries(Series.newBuilder().addLabels(label("__name__", "node_cpu_seconds_total"))
                .addLabels(label("instance", "10.0.0.1:9100"))).build().toByteArray();
        Labels first = decoder.parse(knownLength(bytes)).series().getFirst().labels();
        Labels second = decoder.parse(knownLength(bytes)).series().getFirst().labels();
        assertThat(second).isEqualTo(first);
        assertThat(second.value(0)).isSameAs(first.value(0));
        assertThat(second.name(1)).isSameAs(first.name(1));
    }

    @Test
    void everyTruncationIsAClearErrorNeverAnException() throws Exception {
        Series.Builder series = Series.newBuilder().addAllLabels(StoreWire.toWire(Labels.of("__name__", "up", "job", "api")));
        for (EncodedChunk chunk : chunks(4)) {
            series.addChunks(StoreWire.toWire(chunk, true));
        }
        for (SeriesResponse response : List.of(SeriesResponse.newBuilder().setSeries(series).build(),
                SeriesResponse.newBuilder().setBatch(SeriesBatch.newBuilder().addSeries(series)).build())) {
            byte[] bytes = response.toByteArray();
            SeriesResponseDecoder decoder = new SeriesResponseDecoder("store-b");
            for (int length = 1; length < bytes.length; length++) {
                SeriesResponseDecoder.Decoded decoded = decoder.parse(knownLength(Arrays.copyOf(bytes, length)));
                assertThat(decoded.error()).as("cut at %d of %d", length, bytes.length).isNotNull();
                assertThat(decoded.error().store()).isEqualTo("store-b");
                assertThat(decoded.error().code()).isEqualTo("INVALID_DATA");
                assertThat(decoded.error().getMessage()).contains("malformed Series response");
            }
        }
    }

    @Test
    void randomBytesDecodeOrFailClearly() {
        SeriesResponseDecoder decoder = new SeriesResponseDecoder("s");
        byte[] valid = SeriesResponse.newBuilder().setSeries(Series.newBuilder().addLabels(label("a", "b"))
                .addChunks(AggrChunk.newBuilder().setRaw(Chunk.newBuilder().setData(ByteString.copyFrom(new byte[] {0, 1, 2}))))).build().toByteArray();
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = round % 2 == 0 ? new byte[random.nextInt(40)] : valid.clone();
            if (round % 2 == 0) {
                random.nextBytes(bytes);
            } else {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            SeriesResponseDecoder.Decoded decoded = decoder.parse(knownLength(bytes));
            if (decoded.error() != null) {
                assertThat(decoded.error().code()).isEqualTo("INVALID_DATA");
            }
        }
    }

    @Test
    void invalidUtf8AndUnknownChunkTypesAreRefused() {
        // SeriesResponse{series{labels{name "job", value "a\xC3b"}}}, written by hand: protobuf refuses to build it
        byte[] badUtf8 = {0x0A, 0x0C, 0x0A, 0x0A, 0x0A, 0x03, 'j', 'o', 'b', 0x12, 0x03, 'a', (byte) 0xC3, 'b'};
        assertThat(new SeriesResponseDecoder("s").parse(knownLength(badUtf8)).error()).hasMessageContaining("invalid UTF-8");

        byte[] unknownType = SeriesResponse.newBuilder().setSeries(Series.newBuilder().addLabels(label("__name__", "up"))
                .addChunks(AggrChunk.newBuilder().setMinTime(1).setMaxTime(2).setRaw(Chunk.newBuilder().setTypeValue(9).setData(ByteString.copyFromUtf8("x")))))
                .build().toByteArray();
        assertThat(new SeriesResponseDecoder("s").parse(knownLength(unknownType)).error()).hasMessageContaining("INVALID_DATA")
                .hasMessageContaining("unknown storepb chunk type 9 in series up{}");

        byte[] emptyAggregate = SeriesResponse.newBuilder().setSeries(Series.newBuilder().addLabels(label("__name__", "up"))
                .addChunks(AggrChunk.newBuilder().setMinTime(1).setMaxTime(2).setSum(Chunk.getDefaultInstance()))).build().toByteArray();
        assertThat(new SeriesResponseDecoder("s").parse(knownLength(emptyAggregate)).error())
                .hasMessageContaining("downsampled SUM chunk must be non-empty XOR or histogram");

        byte[] noData = SeriesResponse.newBuilder().setSeries(Series.newBuilder().addLabels(label("__name__", "up"))
                .addChunks(AggrChunk.newBuilder().setMinTime(1).setMaxTime(2))).build().toByteArray();
        assertThat(new SeriesResponseDecoder("s").parse(knownLength(noData)).error()).hasMessageContaining("carries neither raw data nor aggregates");
    }

    private static Label label(String name, String value) {
        return Label.newBuilder().setName(name).setValue(value).build();
    }

    /** What the generated path (protobuf parse, then {@link StoreWire}) makes of the same bytes. */
    private static List<String> expected(SeriesResponse response) throws Exception {
        SeriesResponse parsed = SeriesResponse.parseFrom(response.toByteArray());
        List<Series> series = parsed.hasSeries() ? List.of(parsed.getSeries()) : parsed.getBatch().getSeriesList();
        List<String> out = new ArrayList<>();
        for (Series s : series) {
            StringBuilder line = new StringBuilder(StoreWire.fromWire(s.getLabelsList()).toString()).append(' ');
            for (AggrChunk chunk : s.getChunksList()) {
                line.append(describe(StoreWire.fromWire(chunk)));
            }
            out.add(line.toString());
        }
        return out;
    }

    private static List<String> describe(SeriesResponseDecoder.Decoded decoded) {
        assertThat(decoded.error()).isNull();
        List<String> out = new ArrayList<>();
        for (SeriesResponseDecoder.DecodedSeries s : decoded.series()) {
            StringBuilder line = new StringBuilder(s.labels().toString()).append(' ');
            s.chunks().forEach(chunk -> line.append(describe(chunk)));
            out.add(line.toString());
        }
        return out;
    }

    private static String describe(EncodedChunk chunk) {
        return "[" + chunk.minTime() + "," + chunk.maxTime() + " enc " + chunk.encoding() + " " + HexFormat.of().formatHex(chunk.data()) + "]";
    }

    /** A stream that knows its length, as gRPC hands uncompressed messages over. */
    private static InputStream knownLength(byte[] bytes) {
        return new KnownLengthStream(bytes);
    }

    private static final class KnownLengthStream extends ByteArrayInputStream implements io.grpc.KnownLength {
        KnownLengthStream(byte[] bytes) {
            super(bytes);
        }
    }

    /** XOR, histogram-typed and aggregate chunks, with zero, negative and large times. */
    private List<EncodedChunk> chunks(int seed) {
        List<EncodedChunk> chunks = new ArrayList<>();
        for (long start : new long[] {0, -5_000, 1_700_000_000_000L + seed}) {
            XorChunkAppender appender = new XorChunkAppender();
            for (int s = 0; s < 1 + random.nextInt(200); s++) {
                appender.append(start + s * 15_000L, random.nextDouble() * 100);
            }
            chunks.add(new EncodedChunk(start, start + 200 * 15_000L, seed % 3 == 1 ? 2 : 1, appender.toByteArray()));
        }
        Map<AggregateType, byte[]> parts = new EnumMap<>(AggregateType.class);
        for (AggregateType type : List.of(AggregateType.COUNT, AggregateType.SUM, AggregateType.COUNTER)) {
            XorChunkAppender part = new XorChunkAppender();
            part.append(1000, 3 + type.ordinal());
            parts.put(type, part.toByteArray());
        }
        chunks.add(new EncodedChunk(1000, 1000, StoreWire.TSDB_AGGREGATE, AggregateChunk.encode(parts)));
        return chunks;
    }
}
