package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.store.Aggregate;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution choice with gap filling (Thanos' getFor) and aggregate selection from 0xFF chunks. */
class DownsampledBlocksTest {
    static final long H = 3_600_000L;
    static final long T0 = 1_700_000_000_000L / (2 * H) * (2 * H);
    static final Labels SERIES = Labels.of("__name__", "requests_total", "job", "api");

    @TempDir
    Path work;

    /** A raw block of one series, a sample every minute. */
    static Path rawBlock(Path parent, long min, long max) throws IOException {
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(parent), min, max)) {
            int n = (int) ((max - min) / 60_000);
            long[] ts = new long[n];
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                ts[i] = min + i * 60_000L;
                values[i] = i;
            }
            writer.addSeries(SERIES, ts, values, n);
            writer.commit();
            return writer.directory();
        }
    }

    /** A downsampled block of one series: one aggregate chunk per 2 h with all five aggregates, a sample per window. */
    static Path aggregateBlock(Path parent, long min, long max, long resolution) throws IOException {
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(parent), min, max)) {
            List<EncodedChunk> chunks = new java.util.ArrayList<>();
            for (long from = min; from < max; from += 2 * H) {
                Map<AggregateType, byte[]> parts = new EnumMap<>(AggregateType.class);
                long last = from;
                for (AggregateType type : AggregateType.values()) {
                    XorChunkAppender appender = new XorChunkAppender();
                    for (long t = from; t < Math.min(from + 2 * H, max); t += resolution) {
                        last = t + resolution - 1;
                        appender.append(last, type.ordinal() * 1000 + (t - from) / resolution);
                    }
                    parts.put(type, appender.toByteArray());
                }
                chunks.add(new EncodedChunk(from + resolution - 1, last, 0xFF, AggregateChunk.encode(parts)));
            }
            writer.addSeries(SERIES, chunks);
            writer.commit();
            return writer.directory();
        }
    }

    @Test
    void picksTheCoarsestResolutionAndFillsGapsWithFinerData() throws Exception {
        try (Bucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            Map<String, String> ext = Map.of("cluster", "x");
            String raw1 = up(bucket, rawBlock(work.resolve("r1"), T0, T0 + 2 * H), ext, 0);
            String raw2 = up(bucket, rawBlock(work.resolve("r2"), T0 + 2 * H, T0 + 4 * H), ext, 0);
            String raw3 = up(bucket, rawBlock(work.resolve("r3"), T0 + 4 * H, T0 + 6 * H), ext, 0);
            String fiveMin = up(bucket, aggregateBlock(work.resolve("m5"), T0, T0 + 4 * H, 300_000), ext, 300_000);
            String oneHour = up(bucket, aggregateBlock(work.resolve("h1"), T0, T0 + 2 * H, H), ext, H);
            store.sync();
            assertThat(store.blocksLoaded()).isEqualTo(5);
            List<LabelMatcher> all = List.of(LabelMatcher.equal("job", "api"));
            assertThat(ids(store.select(T0, T0 + 6 * H, all, 0))).containsExactlyInAnyOrder(raw1, raw2, raw3);
            assertThat(ids(store.select(T0, T0 + 6 * H, all, 300_000))).containsExactlyInAnyOrder(fiveMin, raw3);
            assertThat(ids(store.select(T0, T0 + 6 * H, all, H))).containsExactlyInAnyOrder(oneHour, fiveMin, raw3);
            assertThat(ids(store.select(T0 + 4 * H + 1, T0 + 5 * H, all, H))).containsExactly(raw3);
            // another external label set is chosen on its own
            String other = up(bucket, rawBlock(work.resolve("o1"), T0, T0 + 2 * H), Map.of("cluster", "y"), 0);
            store.sync();
            assertThat(ids(store.select(T0, T0 + 6 * H, all, H))).containsExactlyInAnyOrder(oneHour, fiveMin, raw3, other);

            // requested aggregates only; XOR sub-chunks passed as they are
            StoreQuery query = new StoreQuery(T0, T0 + 2 * H - 1, List.of(LabelMatcher.equal("cluster", "x")), false, H,
                    List.of(Aggregate.COUNT, Aggregate.SUM), null);
            ChunkSeriesSet set = store.series(query);
            assertThat(set.next()).isTrue();
            assertThat(set.labels()).isEqualTo(Labels.of("__name__", "requests_total", "cluster", "x", "job", "api"));
            assertThat(set.chunks()).hasSize(1);
            AggregateChunk chunk = AggregateChunk.decode(set.chunks().getFirst().data());
            assertThat(chunk.has(AggregateType.COUNT)).isTrue();
            assertThat(chunk.has(AggregateType.SUM)).isTrue();
            assertThat(chunk.has(AggregateType.MIN)).isFalse();
            assertThat(chunk.has(AggregateType.COUNTER)).isFalse();
            var sums = chunk.samples(AggregateType.SUM, null);
            assertThat(sums.next()).isTrue();
            assertThat(sums.timestamp()).isEqualTo(T0 + H - 1);
            assertThat(sums.value()).isEqualTo(1000.0);
            assertThat(set.next()).isFalse();
        }
    }

    /**
     * A Thanos-layout downsampled native histogram: count as XOR, sum and counter as float histogram chunks. Every part
     * must reach the client with its own encoding (the store once relabelled them all XOR).
     */
    @Test
    void histogramAggregatesKeepTheirEncodingsAndRawHistogramChunksPassUntouched() throws Exception {
        io.gauntlet.tsdb.histogram.Span[] spans = {new io.gauntlet.tsdb.histogram.Span(0, 2)};
        io.gauntlet.tsdb.chunks.FloatHistogramChunkAppender sum = new io.gauntlet.tsdb.chunks.FloatHistogramChunkAppender();
        io.gauntlet.tsdb.chunks.FloatHistogramChunkAppender counter = new io.gauntlet.tsdb.chunks.FloatHistogramChunkAppender();
        XorChunkAppender count = new XorChunkAppender();
        for (int i = 0; i < 4; i++) {
            long t = T0 + (i + 1) * 300_000L - 1;
            count.append(t, 10 + i);
            sum.append(t, new io.gauntlet.tsdb.histogram.FloatHistogram().set(null, 1, 0, 0, 3.0 * i, 1.5 * i, spans,
                    new double[] {i, 2.0 * i}, null, null));
            counter.append(t, new io.gauntlet.tsdb.histogram.FloatHistogram().set(null, 1, 0, 0, 30.0 + i, 15.0 + i, spans,
                    new double[] {10 + i, 20 + i}, null, null));
        }
        Map<AggregateType, AggregateChunk.Part> parts = new EnumMap<>(AggregateType.class);
        parts.put(AggregateType.COUNT, AggregateChunk.Part.xor(count.toByteArray()));
        parts.put(AggregateType.SUM, new AggregateChunk.Part(3, sum.toByteArray()));
        parts.put(AggregateType.COUNTER, new AggregateChunk.Part(3, counter.toByteArray()));
        Labels histogramSeries = Labels.of("__name__", "latency_seconds", "job", "api");
        Path downsampled;
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("hist5m")), T0, T0 + 2 * H)) {
            writer.addSeries(histogramSeries, List.of(new EncodedChunk(T0 + 299_999, T0 + 1_199_999, 0xFF,
                    AggregateChunk.encodeParts(parts))));
            writer.commit();
            downsampled = writer.directory();
        }
        io.gauntlet.tsdb.chunks.HistogramChunkAppender raw = new io.gauntlet.tsdb.chunks.HistogramChunkAppender();
        raw.append(T0 + 2 * H, new io.gauntlet.tsdb.histogram.Histogram(null, 1, 0, 0, 3, 1.5, spans, new long[] {1, 1}, null, null));
        byte[] rawChunk = raw.toByteArray();
        Path rawBlock;
        try (BlockWriter writer = BlockWriter.create(Files.createDirectories(work.resolve("histraw")), T0 + 2 * H, T0 + 4 * H)) {
            writer.addSeries(histogramSeries, List.of(new EncodedChunk(T0 + 2 * H, T0 + 2 * H, 2, rawChunk)));
            writer.commit();
            rawBlock = writer.directory();
        }
        try (Bucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            up(bucket, downsampled, Map.of("cluster", "x"), 300_000);
            up(bucket, rawBlock, Map.of("cluster", "x"), 0);
            store.sync();
            for (List<Aggregate> asked : List.of(List.of(Aggregate.COUNT, Aggregate.SUM), List.of(Aggregate.COUNTER))) {
                ChunkSeriesSet set = store.series(new StoreQuery(T0, T0 + 2 * H - 1, List.of(LabelMatcher.equal("job", "api")),
                        false, 300_000, asked, null));
                assertThat(set.next()).isTrue();
                AggregateChunk chunk = AggregateChunk.decode(set.chunks().getFirst().data());
                io.gauntlet.proto.thanos.AggrChunk wire = io.gauntlet.store.StoreWire.toWire(set.chunks().getFirst(), false);
                if (asked.contains(Aggregate.COUNT)) {
                    assertThat(chunk.encodingCode(AggregateType.COUNT)).isEqualTo(1);
                    assertThat(chunk.encodingCode(AggregateType.SUM)).isEqualTo(3);
                    assertThat(chunk.toByteArray(AggregateType.SUM)).isEqualTo(sum.toByteArray());
                    assertThat(wire.getCount().getType()).isEqualTo(io.gauntlet.proto.thanos.Chunk.Encoding.XOR);
                    assertThat(wire.getSum().getType()).isEqualTo(io.gauntlet.proto.thanos.Chunk.Encoding.FLOAT_HISTOGRAM);
                    assertThat(io.gauntlet.store.StoreWire.fromWire(wire).data()).isEqualTo(set.chunks().getFirst().data());
                    var sums = chunk.decode(AggregateType.SUM, new io.gauntlet.tsdb.chunks.ChunkDecoders());
                    assertThat(sums.next()).isTrue();
                    assertThat(sums.next()).isTrue();
                    assertThat(sums.floatHistogram().positiveBuckets()).containsExactly(1.0, 2.0);
                } else {
                    assertThat(chunk.has(AggregateType.COUNT)).isFalse();
                    assertThat(chunk.encodingCode(AggregateType.COUNTER)).isEqualTo(3);
                    assertThat(wire.getCounter().getType()).isEqualTo(io.gauntlet.proto.thanos.Chunk.Encoding.FLOAT_HISTOGRAM);
                }
            }
            ChunkSeriesSet rawSet = store.series(new StoreQuery(T0 + 2 * H, T0 + 4 * H - 1, List.of(LabelMatcher.equal("job", "api")),
                    false, 0, List.of(), null));
            assertThat(rawSet.next()).isTrue();
            assertThat(rawSet.chunks()).singleElement().satisfies(c -> {
                assertThat(c.encoding()).isEqualTo(2);
                assertThat(c.data()).isEqualTo(rawChunk);
            });
        }
    }

    static String up(Bucket bucket, Path dir, Map<String, String> ext, long resolution) throws Exception {
        BlockMeta meta = BlockFixtures.upload(bucket, dir, ext, resolution);
        return meta.ulid().toString();
    }

    static Set<String> ids(Map<BucketBlock, List<LabelMatcher>> selected) {
        return selected.keySet().stream().map(BucketBlock::id).collect(Collectors.toSet());
    }
}
