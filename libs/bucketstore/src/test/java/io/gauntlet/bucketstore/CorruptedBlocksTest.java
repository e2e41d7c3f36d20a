package io.gauntlet.bucketstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.bucketstore.BlockFixtures.Sample;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.CorruptedDataException.Kind;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Six promtool blocks of 2h in a bucket (filesystem and s3proxy), three of them damaged as bit rot and old bugs
 * damage blocks: bytes flipped in a chunk file, an index cut short, a chunk segment gone after meta.json was written.
 * Every answer holds exactly what {@code promtool tsdb dump} prints of the three healthy blocks, plus one warning per
 * damaged block naming it, its file and the cause; the damage is found once (quarantine), not once per query.
 */
class CorruptedBlocksTest {
    static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;
    static final long END = START + 12 * 3_600_000L;
    static final List<LabelMatcher> ALL = List.of(LabelMatcher.regex("__name__", ".+"));

    @TempDir
    static Path work;
    static List<Path> blocks;
    static Path healthyOnly;

    enum Backend { FILESYSTEM, S3 }

    @BeforeAll
    static void createBlocks() throws Exception {
        Path input = work.resolve("input.om");
        new OpenMetricsGenerator(23, 6, 4, 1, START, END - START, 30_000).write(input);
        List<Path> made = new ArrayList<>(Promtool.require().createBlocksFromOpenMetrics(input, work.resolve("blocks")));
        made.sort(Comparator.comparingLong(dir -> meta(dir).minTime()));
        assertThat(made).hasSize(6);
        blocks = made;
        // what a Prometheus holding only the healthy blocks (0, 2, 5) has
        healthyOnly = Files.createDirectories(work.resolve("healthy"));
        for (int i : new int[] {0, 2, 5}) {
            copyDirectory(blocks.get(i), healthyOnly.resolve(blocks.get(i).getFileName()));
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void oneDamagedBlockCostsOnlyItselfAndIsFoundOnce(Backend backend, @TempDir Path cache) throws Exception {
        try (Bucket plain = bucket(backend, cache); ObservedBucket bucket = new ObservedBucket(plain);
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(cache.resolve("store")))) {
            List<String> ids = new ArrayList<>();
            for (Path dir : blocks) {
                ids.add(BlockFixtures.upload(bucket, dir, Map.of("cluster", "eu"), 0).ulid().toString());
            }
            String flipped = ids.get(1);
            String truncated = ids.get(3);
            String missing = ids.get(4);
            byte[] chunks = read(bucket, flipped + "/chunks/000001");
            chunks[20] ^= 0x5A; // inside the first chunk's data, which starts at byte 8
            bucket.upload(flipped + "/chunks/000001", new ByteArrayInputStream(chunks), chunks.length);
            byte[] index = read(bucket, truncated + "/index");
            bucket.upload(truncated + "/index", new ByteArrayInputStream(index, 0, index.length / 2), index.length / 2);
            bucket.delete(missing + "/chunks/000001");

            store.sync();
            assertThat(store.quarantinedBlocks()).extracting(QuarantinedBlock::id).containsExactly(truncated); // found at load
            assertThat(store.blocksLoaded()).isEqualTo(5);

            Answer first = query(store);
            assertThat(first.samples()).isEqualTo(BlockFixtures.promtoolDump(healthyOnly, ALL, START, END));
            assertThat(first.warnings()).hasSize(3);
            assertThat(first.warnings()).anySatisfy(w -> assertThat(w).contains("corrupted block " + flipped + ": chunks/000001 at offset 8: ")
                    .contains("checksum mismatch"));
            assertThat(first.warnings()).anySatisfy(w -> assertThat(w).contains("corrupted block " + truncated + ": index at offset ")
                    .contains("truncated"));
            assertThat(first.warnings()).anySatisfy(w -> assertThat(w).contains("corrupted block " + missing + ": chunks/000001: missing"));
            assertThat(store.quarantinedBlocks()).extracting(QuarantinedBlock::id).containsExactlyInAnyOrder(flipped, truncated, missing);
            assertThat(store.quarantinedBlocks()).extracting(QuarantinedBlock::kind)
                    .containsExactlyInAnyOrder(Kind.CHECKSUM, Kind.TRUNCATED, Kind.MISSING_FILE);
            assertThat(store.corruptedBlocks()).extracting(io.gauntlet.store.CorruptedBlock::cause)
                    .containsExactlyInAnyOrder("checksum", "truncated", "missing_file");
            assertThat(store.blocksLoaded()).isEqualTo(3);

            // the second query reads no byte of the damaged blocks, and counts no second detection
            long[] readsBefore = {bucket.reads(flipped), bucket.reads(truncated), bucket.reads(missing)};
            long skipsBefore = store.stats().quarantinedBlockSkips();
            Answer second = query(store);
            assertThat(second.samples()).isEqualTo(first.samples());
            assertThat(second.warnings()).containsExactlyInAnyOrderElementsOf(first.warnings());
            assertThat(new long[] {bucket.reads(flipped), bucket.reads(truncated), bucket.reads(missing)}).isEqualTo(readsBefore);
            assertThat(store.stats().quarantinedBlockSkips()).isEqualTo(skipsBefore + 3);
            for (Kind kind : List.of(Kind.CHECKSUM, Kind.TRUNCATED, Kind.MISSING_FILE)) {
                assertThat(store.stats().corruptions(kind)).as(kind.name()).isEqualTo(1);
            }
            // a query that needs none of them has no warning
            Answer healthy = query(store, blockOf(0).minTime(), blockOf(0).maxTime() - 1);
            assertThat(healthy.warnings()).isEmpty();

            // label calls leave the damaged blocks out the same way
            LabelAnswer names = store.labelValuesAnswer("__name__", new LabelQuery(START, END, ALL, 0));
            assertThat(names.warnings()).hasSize(3);
            assertThat(names.values()).isNotEmpty();

            // a new upload of the damaged block (here the original bytes), announced by its event: served again
            bucket.upload(flipped + "/chunks/000001", blocks.get(1).resolve("chunks/000001"));
            assertThat(store.loadBlock(flipped)).isTrue();
            assertThat(query(store).warnings()).hasSize(2).noneSatisfy(w -> assertThat(w).contains(flipped));
            // an upload without an event: a sync notices that meta.json changed since it first looked at it
            store.sync();
            BlockFixtures.upload(bucket, blocks.get(4), Map.of("cluster", "eu"), 0); // the segment is back, meta.json rewritten
            touchMeta(bucket, missing);
            store.sync();
            assertThat(store.quarantinedBlocks()).extracting(QuarantinedBlock::id).containsExactly(truncated);
            assertThat(query(store).warnings()).singleElement().asString().contains(truncated);
        }
    }

    @Test
    void damageSeenOnceInTransitIsNotAQuarantine(@TempDir Path cache) throws Exception {
        try (ObservedBucket bucket = new ObservedBucket(new FilesystemBucket(Files.createDirectories(cache.resolve("bucket"))));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(cache.resolve("store")))) {
            String id = BlockFixtures.upload(bucket, blocks.get(0), Map.of("cluster", "eu"), 0).ulid().toString();
            store.sync();
            boolean[] damaged = {false};
            bucket.onRead(read -> {
                if (read.object().endsWith("/chunks/000001") && !damaged[0]) {
                    damaged[0] = true;
                    byte[] copy = read.bytes().clone();
                    copy[copy.length / 2] ^= 1;
                    return new ObservedBucket.ReadResult(read.object(), read.offset(), copy);
                }
                return read;
            });
            Answer answer = query(store);
            assertThat(damaged[0]).isTrue();
            assertThat(answer.warnings()).isEmpty();
            assertThat(answer.samples()).isEqualTo(BlockFixtures.promtoolDump(blocks.get(0).getParent(), ALL, blockOf(0).minTime(),
                    blockOf(0).maxTime() - 1));
            assertThat(store.quarantinedBlocks()).isEmpty();
            assertThat(store.loadedBlockIds()).containsExactly(id);
        }
    }

    @Test
    void aFailingBucketIsNotADamagedBlock(@TempDir Path cache) throws Exception {
        try (ObservedBucket bucket = new ObservedBucket(new FilesystemBucket(Files.createDirectories(cache.resolve("bucket"))));
             BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(cache.resolve("store")))) {
            BlockFixtures.upload(bucket, blocks.get(0), Map.of("cluster", "eu"), 0);
            store.sync();
            bucket.onRead(read -> {
                throw new BucketException("connection reset by peer");
            });
            assertThatThrownBy(() -> query(store)).hasMessageContaining("connection reset by peer");
            assertThat(store.quarantinedBlocks()).isEmpty();
            bucket.onRead(read -> read);
            assertThat(query(store).warnings()).isEmpty(); // tried again by the next call
        }
    }

    record Answer(List<Sample> samples, List<String> warnings) {
    }

    static Answer query(BucketStore store) throws Exception {
        return query(store, START, END);
    }

    static Answer query(BucketStore store, long from, long to) throws Exception {
        ChunkSeriesSet set = store.series(StoreQuery.of(from, to, ALL));
        Map<String, List<Sample>> samples = BlockFixtures.samplesByGroup(set, "cluster", List.of(), from, to);
        List<String> warnings = ((StoreSeriesSet) set).warnings();
        return new Answer(samples.getOrDefault("eu", List.of()), warnings);
    }

    private static Bucket bucket(Backend backend, Path work) throws IOException {
        return switch (backend) {
            case FILESYSTEM -> new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));
            case S3 -> BucketFactory.create(BucketConfig.s3(S3ProxyFixture.shared().newBucket("corrupted")));
        };
    }

    private static BlockMeta blockOf(int i) {
        return meta(blocks.get(i));
    }

    private static BlockMeta meta(Path dir) {
        try {
            return BlockMeta.read(dir);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** meta.json written again with one more byte (a space), as a re-upload by another tool would change it. */
    private static void touchMeta(Bucket bucket, String id) throws IOException {
        byte[] json = read(bucket, id + "/meta.json");
        byte[] longer = java.util.Arrays.copyOf(json, json.length + 1);
        longer[json.length] = ' ';
        bucket.upload(id + "/meta.json", new ByteArrayInputStream(longer), longer.length);
    }

    private static byte[] read(Bucket bucket, String object) throws IOException {
        try (InputStream in = bucket.get(object)) {
            return in.readAllBytes();
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }
}
