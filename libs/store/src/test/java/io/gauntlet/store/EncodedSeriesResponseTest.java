package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.SeriesBatch;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pre-serialised Series answers are byte for byte what the generated messages write, in every chunk kind. */
class EncodedSeriesResponseTest {
    private final Random random = new Random(11);

    @Test
    void seriesAndBatchesEqualTheGeneratedEncoding() throws Exception {
        List<byte[]> fields = new ArrayList<>();
        SeriesBatch.Builder batch = SeriesBatch.newBuilder();
        for (int i = 0; i < 50; i++) {
            boolean withHash = i % 2 == 0;
            Labels labels = Labels.of("__name__", "metric_" + i, "cluster", "eu-ü-" + i, "job", i % 5 == 0 ? "日本" : "node");
            List<EncodedChunk> chunks = chunks(i);
            Series.Builder expected = Series.newBuilder().addAllLabels(StoreWire.toWire(labels));
            for (EncodedChunk chunk : chunks) {
                expected.addChunks(StoreWire.toWire(chunk, withHash));
            }
            byte[] field = EncodedSeriesResponse.seriesField(labels, chunks, withHash);
            EncodedSeriesResponse single = EncodedSeriesResponse.series(field);
            byte[] generated = SeriesResponse.newBuilder().setSeries(expected).build().toByteArray();
            assertThat(single.toByteArray()).isEqualTo(generated);
            assertThat(single.length()).isEqualTo(generated.length);
            assertThat(readByteByByte(EncodedSeriesResponse.MARSHALLER.stream(single))).isEqualTo(generated);
            fields.add(field);
            batch.addSeries(expected);
        }
        EncodedSeriesResponse batched = EncodedSeriesResponse.batch(fields);
        byte[] generated = SeriesResponse.newBuilder().setBatch(batch).build().toByteArray();
        ByteArrayOutputStream drained = new ByteArrayOutputStream();
        InputStream stream = EncodedSeriesResponse.MARSHALLER.stream(batched);
        assertThat(stream.available()).isEqualTo(generated.length);
        assertThat(((io.grpc.Drainable) stream).drainTo(drained)).isEqualTo(generated.length);
        assertThat(drained.toByteArray()).isEqualTo(generated);
        assertThat(SeriesResponse.parseFrom(batched.toByteArray()).getBatch().getSeriesCount()).isEqualTo(50);
    }

    @Test
    void emptyLabelsAndNoChunksAsSkipChunksSendsThem() throws Exception {
        byte[] field = EncodedSeriesResponse.seriesField(Labels.EMPTY, List.of(), false);
        assertThat(EncodedSeriesResponse.series(field).toByteArray())
                .isEqualTo(SeriesResponse.newBuilder().setSeries(Series.getDefaultInstance()).build().toByteArray());
        assertThat(EncodedSeriesResponse.batch(List.of()).toByteArray())
                .isEqualTo(SeriesResponse.newBuilder().setBatch(SeriesBatch.getDefaultInstance()).build().toByteArray());
    }

    @Test
    void aChunkWithoutStoreApiEncodingIsRefused() {
        EncodedChunk unknown = new EncodedChunk(1, 2, 7, new byte[] {0, 1});
        assertThatThrownBy(() -> EncodedSeriesResponse.seriesField(Labels.of("a", "b"), List.of(unknown), false))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("chunk encoding 7");
    }

    /** XOR, histogram-typed and aggregate chunks, with zero, negative and large times. */
    private List<EncodedChunk> chunks(int seed) {
        List<EncodedChunk> chunks = new ArrayList<>();
        long[] starts = {0, -5_000, 1_700_000_000_000L + seed};
        for (long start : starts) {
            XorChunkAppender appender = new XorChunkAppender();
            for (int s = 0; s < 1 + random.nextInt(200); s++) {
                appender.append(start + s * 15_000L, random.nextDouble() * 100);
            }
            byte[] data = appender.toByteArray();
            chunks.add(new EncodedChunk(start, start + 200 * 15_000L, seed % 3 == 1 ? 2 : 1, data));
        }
        Map<AggregateType, byte[]> parts = new EnumMap<>(AggregateType.class);
        XorChunkAppender count = new XorChunkAppender();
        count.append(1000, 3);
        parts.put(AggregateType.COUNT, count.toByteArray());
        XorChunkAppender sum = new XorChunkAppender();
        sum.append(1000, 42.5);
        parts.put(AggregateType.SUM, sum.toByteArray());
        chunks.add(new EncodedChunk(1000, 1000, StoreWire.TSDB_AGGREGATE, AggregateChunk.encode(parts)));
        return chunks;
    }

    private static byte[] readByteByByte(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
        }
        return out.toByteArray();
    }
}
