package io.gauntlet.compact;

import static io.gauntlet.compact.TestBlocks.HOUR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.store.ChunksSampleIterator;
import io.gauntlet.store.PenaltyDeduplicator;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCompactorTest {
    private static final Map<String, String> LABELS = Map.of("cluster", "eu-1");

    @TempDir
    Path dir;

    private List<Path> fourTwoHourBlocks(Path parent, Map<String, String> labels, int seed, long jitter) throws Exception {
        List<Path> blocks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            BlockMeta meta = TestBlocks.write(parent, i * 2 * HOUR, (i + 1) * 2 * HOUR, labels, 60, seed + i, jitter);
            blocks.add(parent.resolve(meta.ulid().toString()));
        }
        return blocks;
    }

    @Test
    void compactedBlockHoldsExactlyTheSourcesSamplesAndPassesPromtool() throws Exception {
        List<Path> sources = fourTwoHourBlocks(dir.resolve("sources"), LABELS, 1, 0);
        BlockCompactor.Result result = BlockCompactor.compact(sources, dir.resolve("out"), LABELS, Deduplication.NONE, CompactionProgress.NONE);

        assertThat(TestBlocks.samples(List.of(result.directory()))).isEqualTo(TestBlocks.samples(sources));
        BlockMeta meta = result.meta();
        assertThat(meta.minTime()).isZero();
        assertThat(meta.maxTime()).isEqualTo(8 * HOUR);
        assertThat(meta.compaction().level()).isEqualTo(2);
        assertThat(meta.compaction().sources()).hasSize(4).isSorted();
        assertThat(meta.compaction().parents()).hasSize(4);
        assertThat(meta.thanos().labels()).isEqualTo(LABELS);
        assertThat(meta.thanos().source()).isEqualTo("compactor");
        long sourceSamples = 0;
        for (Path source : sources) {
            sourceSamples += BlockMeta.read(source).stats().numSamples();
        }
        assertThat(meta.stats().numSamples()).isEqualTo(sourceSamples);
        assertThat(BlockVerifier.verify(result.directory())).isEmpty();

        Promtool promtool = Promtool.require();
        Path db = dir.resolve("out");
        Files.createDirectories(db.resolve("wal"));
        String analysis = promtool.run("tsdb", "analyze", db.toString(), meta.ulid().toString());
        assertThat(analysis).contains("Block ID: " + meta.ulid()).contains("Duration: 8h0m0s").contains("\nSeries: " + meta.stats().numSeries());
        List<String> dump = promtool.dump(db);
        assertThat((long) dump.stream().filter(line -> !line.isBlank()).count()).isEqualTo(meta.stats().numSamples());
    }

    @Test
    void chunksOfNonOverlappingSourcesArePassedThroughUntouched() throws Exception {
        List<Path> sources = fourTwoHourBlocks(dir.resolve("sources"), LABELS, 3, 0);
        BlockCompactor.Result result = BlockCompactor.compact(sources, dir.resolve("out"), LABELS, Deduplication.NONE, CompactionProgress.NONE);
        Map<String, List<String>> expected = chunkBytes(sources);
        assertThat(chunkBytes(List.of(result.directory()))).isEqualTo(expected);
    }

    private static Map<String, List<String>> chunkBytes(List<Path> blocks) throws Exception {
        Map<String, List<String>> chunks = new TreeMap<>();
        for (Path block : blocks) {
            try (BlockReader reader = BlockReader.open(block)) {
                ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                while (set.next()) {
                    for (var chunk : set.chunks()) {
                        chunks.computeIfAbsent(set.labels().toString(), key -> new ArrayList<>())
                                .add(chunk.minTime() + ":" + java.util.HexFormat.of().formatHex(chunk.data()));
                    }
                }
            }
        }
        chunks.values().forEach(java.util.Collections::sort);
        return chunks;
    }

    @Test
    void overlappingBlocksWithoutDeduplicationAreRefusedWithAClearMessage() throws Exception {
        Path a = dir.resolve("a");
        BlockMeta first = TestBlocks.write(a, 0, 2 * HOUR, LABELS, 10, 1, 0);
        BlockMeta second = TestBlocks.write(a, HOUR, 3 * HOUR, LABELS, 10, 2, 0);
        assertThatThrownBy(() -> BlockCompactor.compact(List.of(a.resolve(first.ulid().toString()), a.resolve(second.ulid().toString())),
                dir.resolve("out"), LABELS, Deduplication.NONE, CompactionProgress.NONE))
                .isInstanceOf(OverlappingBlocksException.class)
                .hasMessageContaining(first.ulid().toString()).hasMessageContaining(second.ulid().toString())
                .hasMessageContaining("deduplication.replica-label");
    }

    @Test
    void haReplicasAreMergedAsTheQueriersPenaltyDeduplicationReturnsThem() throws Exception {
        Map<String, String> replica0 = Map.of("cluster", "eu-1", "replica", "0");
        Map<String, String> replica1 = Map.of("cluster", "eu-1", "replica", "1");
        Path parent = dir.resolve("sources");
        BlockMeta r0 = TestBlocks.write(parent, 0, 2 * HOUR, replica0, 40, 5, 0);
        BlockMeta r1 = TestBlocks.write(parent, 0, 2 * HOUR, replica1, 40, 6, 7_000);
        List<Path> sources = List.of(parent.resolve(r0.ulid().toString()), parent.resolve(r1.ulid().toString()));

        BlockCompactor.Result result = BlockCompactor.compact(sources, dir.resolve("out"), LABELS, Deduplication.PENALTY, CompactionProgress.NONE);

        assertThat(result.meta().thanos().labels()).isEqualTo(LABELS);
        assertThat(result.meta().compaction().sources()).containsExactlyInAnyOrder(r0.ulid(), r1.ulid());
        assertThat(TestBlocks.samples(List.of(result.directory()))).isEqualTo(penaltyDeduplicated(sources));
        assertThat(BlockVerifier.verify(result.directory())).isEmpty();

        BlockCompactor.Result chained = BlockCompactor.compact(sources, dir.resolve("chain"), LABELS, Deduplication.CHAIN, CompactionProgress.NONE);
        Map<String, List<String>> union = TestBlocks.samples(sources);
        assertThat(TestBlocks.samples(List.of(chained.directory()))).isEqualTo(union);
    }

    /** What the querier returns: PenaltyDeduplicator over each replica's series. */
    private static Map<String, List<String>> penaltyDeduplicated(List<Path> replicas) throws Exception {
        Map<String, List<List<ChunkSeriesSet.EncodedChunk>>> byLabels = new TreeMap<>();
        List<BlockReader> readers = new ArrayList<>();
        try {
            for (Path replica : replicas) {
                BlockReader reader = BlockReader.open(replica);
                readers.add(reader);
                ChunkSeriesSet set = reader.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                while (set.next()) {
                    byLabels.computeIfAbsent(set.labels().toString(), key -> new ArrayList<>()).add(set.chunks());
                }
            }
            Map<String, List<String>> result = new TreeMap<>();
            for (var entry : byLabels.entrySet()) {
                List<SampleIterator> iterators = entry.getValue().stream().map(chunks -> (SampleIterator) new ChunksSampleIterator(chunks, null)).toList();
                SampleIterator it = PenaltyDeduplicator.of(iterators, false);
                List<String> samples = new ArrayList<>();
                while (it.next()) {
                    samples.add(it.timestamp() + "=" + Double.doubleToRawLongBits(it.value()));
                }
                result.put(entry.getKey(), samples);
            }
            return result;
        } finally {
            readers.forEach(BlockReader::close);
        }
    }
}
