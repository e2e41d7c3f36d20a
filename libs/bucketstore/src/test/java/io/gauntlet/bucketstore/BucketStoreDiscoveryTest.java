package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.objstore.InstrumentedBucket;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which blocks a store serves: partial, deleted, marked, corrupted, loaded by event, dropped. */
class BucketStoreDiscoveryTest {
    static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;

    @TempDir
    Path work;

    static Path writeBlock(Path parent, String metric, int count) throws IOException {
        Files.createDirectories(parent);
        try (BlockWriter writer = BlockWriter.create(parent, START, START + 7_200_000L)) {
            for (int i = 0; i < count; i++) {
                long[] ts = new long[240];
                double[] values = new double[240];
                for (int s = 0; s < ts.length; s++) {
                    ts[s] = START + s * 30_000L;
                    values[s] = i * 1000 + s;
                }
                writer.addSeries(Labels.of("__name__", metric, "series", String.format("%03d", i)), ts, values, ts.length);
            }
            writer.commit();
            return writer.directory();
        }
    }

    static int count(ChunkSeriesSet set) throws Exception {
        int n = 0;
        while (set.next()) {
            assertThat(set.chunks()).isNotEmpty();
            n++;
        }
        return n;
    }

    int countMetric(BucketStore store, String metric) throws Exception {
        return count(store.series(StoreQuery.of(START, START + 7_200_000L, List.of(LabelMatcher.equal("__name__", metric)))));
    }

    @Test
    void servesCompleteBlocksOnlyAndFollowsEvents() throws Exception {
        try (Bucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            BlockMeta good = BlockFixtures.upload(bucket, writeBlock(work.resolve("good"), "good", 20), Map.of("cluster", "x"), 0);
            // partial: no meta.json
            BlockMeta partial = BlockFixtures.upload(bucket, writeBlock(work.resolve("partial"), "partial", 3), Map.of("cluster", "x"), 0);
            bucket.delete(partial.ulid() + "/meta.json");
            // marked for deletion two days ago: not served; marked now: still served
            BlockMeta old = BlockFixtures.upload(bucket, writeBlock(work.resolve("old"), "old", 3), Map.of("cluster", "x"), 0);
            byte[] oldMark = DeletionMark.of(old.ulid(), "test", System.currentTimeMillis() / 1000 - 2 * 86_400).toJson();
            bucket.upload(old.ulid() + "/" + DeletionMark.FILE, new ByteArrayInputStream(oldMark), oldMark.length);
            BlockMeta fresh = BlockFixtures.upload(bucket, writeBlock(work.resolve("fresh"), "fresh", 4), Map.of("cluster", "x"), 0);
            byte[] freshMark = DeletionMark.of(fresh.ulid(), "test", System.currentTimeMillis() / 1000).toJson();
            bucket.upload(fresh.ulid() + "/" + DeletionMark.FILE, new ByteArrayInputStream(freshMark), freshMark.length);
            // corrupted index
            BlockMeta broken = BlockFixtures.upload(bucket, writeBlock(work.resolve("broken"), "broken", 3), Map.of("cluster", "x"), 0);
            bucket.upload(broken.ulid() + "/index", new ByteArrayInputStream(new byte[100]), 100);

            store.sync();
            assertThat(store.synced()).isTrue();
            assertThat(store.loadedBlockIds()).containsExactlyInAnyOrder(good.ulid().toString(), fresh.ulid().toString());
            assertThat(store.stats().blockLoadFailures()).isEqualTo(1);
            assertThat(countMetric(store, "good")).isEqualTo(20);
            assertThat(countMetric(store, "fresh")).isEqualTo(4);

            // a new block, announced: served at once, no sync
            BlockMeta later = BlockFixtures.upload(bucket, writeBlock(work.resolve("later"), "later", 20), Map.of("cluster", "y"), 0);
            assertThat(store.loadBlock(later.ulid().toString())).isTrue();
            assertThat(countMetric(store, "later")).isEqualTo(20);
            assertThat(store.loadBlock("not-a-ulid")).isFalse();

            // a query that started before the block is dropped still reads it to the end
            ChunkSeriesSet running = store.series(StoreQuery.of(START, START + 7_200_000L, List.of(LabelMatcher.equal("__name__", "later"))));
            store.dropBlock(later.ulid().toString());
            assertThat(count(running)).isEqualTo(20);
            assertThat(store.loadBlock(later.ulid().toString())).isTrue();

            // deleted (meta.json goes first): dropped on the event, and on the next sync when meta.json is gone
            bucket.delete(later.ulid() + "/meta.json");
            store.dropBlock(later.ulid().toString());
            assertThat(countMetric(store, "later")).isZero();
            bucket.delete(good.ulid() + "/meta.json");
            store.sync();
            assertThat(store.loadedBlockIds()).containsExactly(fresh.ulid().toString());
            assertThat(countMetric(store, "good")).isZero();
            assertThat(work.resolve("cache").resolve(good.ulid().toString())).doesNotExist();
        }
    }

    /** A block written as the compaction of {@code sources}: its meta.json lists their ULIDs. */
    private Path compactionOf(String name, String metric, int count, BlockMeta... sources) throws Exception {
        Path dir = writeBlock(work.resolve(name), metric, count);
        List<io.gauntlet.tsdb.block.Ulid> ids = java.util.Arrays.stream(sources).map(BlockMeta::ulid).toList();
        BlockMeta.read(dir).withCompaction(BlockMeta.Compaction.of(2, ids, List.of())).writeTo(dir);
        return dir;
    }

    @Test
    void leavesOutBlocksACompactedBlockCoversAsThanosDoes() throws Exception {
        try (Bucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            Map<String, String> cluster = Map.of("cluster", "x");
            BlockMeta a = BlockFixtures.upload(bucket, writeBlock(work.resolve("a"), "m", 5), cluster, 0);
            BlockMeta b = BlockFixtures.upload(bucket, writeBlock(work.resolve("b"), "m", 5), cluster, 0);
            BlockMeta other = BlockFixtures.upload(bucket, writeBlock(work.resolve("other"), "other", 2), cluster, 0);
            store.sync();
            assertThat(store.loadedBlockIds()).hasSize(3);

            // the compaction of a and b, announced: its sources leave at once, an unrelated block stays
            BlockMeta ab = BlockFixtures.upload(bucket, compactionOf("ab", "m", 5, a, b), cluster, 0);
            assertThat(store.loadBlock(ab.ulid().toString())).isTrue();
            assertThat(store.loadedBlockIds()).containsExactlyInAnyOrder(ab.ulid().toString(), other.ulid().toString());
            assertThat(countMetric(store, "m")).isEqualTo(5);

            // a source announced again after its compaction is not served; a 5m block of the same sources does not
            // cover the raw blocks (another resolution)
            assertThat(store.loadBlock(a.ulid().toString())).isFalse();
            BlockMeta downsampled = BlockFixtures.upload(bucket, compactionOf("ab5m", "m", 5, a, b), cluster, 300_000);
            store.sync();
            assertThat(store.loadedBlockIds()).containsExactlyInAnyOrder(ab.ulid().toString(), other.ulid().toString(),
                    downsampled.ulid().toString());

            // a fresh store's first sync loads only what is not covered
            try (BucketStore restarted = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache2")))) {
                restarted.sync();
                assertThat(restarted.loadedBlockIds()).containsExactlyInAnyOrder(ab.ulid().toString(), other.ulid().toString(),
                        downsampled.ulid().toString());
            }
        }
    }

    @Test
    void syncsManyBlocksConcurrentlyAndARestartReusesTheLocalCopies() throws Exception {
        Path bucketDir = Files.createDirectories(work.resolve("bucket"));
        try (Bucket plain = new FilesystemBucket(bucketDir)) {
            for (int i = 0; i < 24; i++) { // 24 blocks of the same two series under different external labels: 48 series
                BlockFixtures.upload(plain, writeBlock(work.resolve("source"), "many", 2), Map.of("cluster", "c" + i), 0);
            }
        }
        BucketStoreConfig config = BucketStoreConfig.defaults(work.resolve("cache")).withConcurrency(3, 5);
        SimpleMeterRegistry cold = new SimpleMeterRegistry();
        try (Bucket bucket = new InstrumentedBucket(new FilesystemBucket(bucketDir), cold); BucketStore store = new BucketStore(bucket, config)) {
            store.sync();
            assertThat(store.blocksLoaded()).isEqualTo(24);
            assertThat(store.stats().blockLoadFailures()).isZero();
            assertThat(operations(cold, "get")).isEqualTo(24); // meta.json; the listing shows that no block has a deletion mark
            assertThat(operations(cold, "get_range")).isEqualTo(24); // an index under 64 KiB: its header from one read
            assertThat(countMetric(store, "many")).isEqualTo(48);
        }
        // a restart on the same cache directory: the listing is all it reads from the bucket
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Bucket bucket = new InstrumentedBucket(new FilesystemBucket(bucketDir), registry); BucketStore store = new BucketStore(bucket, config)) {
            store.sync();
            assertThat(store.blocksLoaded()).isEqualTo(24);
            assertThat(operations(registry, "exists")).isZero();
            assertThat(operations(registry, "get")).isZero();
            assertThat(operations(registry, "get_range")).isZero();
            assertThat(countMetric(store, "many")).isEqualTo(48);
        }
    }

    private static double operations(SimpleMeterRegistry registry, String operation) {
        return registry.get(InstrumentedBucket.OPERATIONS).tag("operation", operation).counter().count();
    }

    @Test
    void aBlockWithALargePostingsOffsetTableIsServedFromThreeHeaderReads() throws Exception {
        Path bucketDir = Files.createDirectories(work.resolve("bucket"));
        int series = 4000; // ~40 bytes of postings offset table per series: more than the 64 KiB read from the index's end
        Path dir;
        try (BlockWriter writer = BlockWriter.create(work.resolve("large"), START, START + 7_200_000L)) {
            for (int i = 0; i < series; i++) {
                writer.addSeries(Labels.of("__name__", "large", "id", String.format("%06d-a-long-label-value-for-a-large-table", i)),
                        new long[] {START + i}, new double[] {i}, 1);
            }
            writer.commit();
            dir = writer.directory();
        }
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Bucket bucket = new InstrumentedBucket(new FilesystemBucket(bucketDir), registry);
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            BlockFixtures.upload(bucket, dir, Map.of("cluster", "x"), 0);
            store.sync();
            assertThat(store.blocksLoaded()).isEqualTo(1);
            assertThat(operations(registry, "get_range")).isEqualTo(3); // the end of the index, the symbols, the whole table
            assertThat(countMetric(store, "large")).isEqualTo(series);
            assertThat(store.labelValues("id", new io.gauntlet.store.LabelQuery(START, START + 7_200_000L, List.of(), 0))).hasSize(series)
                    .contains(String.format("%06d-a-long-label-value-for-a-large-table", series - 1));
        }
    }
}
