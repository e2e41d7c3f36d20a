package io.gauntlet.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.index.IndexReader;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketToolsTest {
    private static final long HOUR = 3_600_000L;
    private static final Map<String, String> EU = Map.of("cluster", "eu-1", "replica", "a");

    @TempDir
    Path dir;
    private Bucket bucket;
    private final List<BlockEvent> published = new ArrayList<>();
    private ToolEvents events;

    @BeforeEach
    void setUp() throws Exception {
        bucket = new FilesystemBucket(Files.createDirectories(dir.resolve("bucket")));
        events = new ToolEvents(published::add, "gauntlet/tools/test");
    }

    /** A real block of three series over [minTime, maxTime), uploaded as every Gauntlet writer uploads. */
    private BlockMeta upload(long minTime, long maxTime, Map<String, String> labels) throws Exception {
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(labels, 0, "sidecar"));
        BlockMeta meta;
        try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), minTime, maxTime, options)) {
            for (String job : List.of("a", "b", "c")) {
                int n = (int) ((maxTime - minTime) / 60_000);
                long[] ts = new long[n];
                double[] vs = new double[n];
                for (int i = 0; i < n; i++) {
                    ts[i] = minTime + i * 60_000L;
                    vs[i] = i;
                }
                writer.addSeries(Labels.of("__name__", "up", "job", job), ts, vs, n);
            }
            meta = writer.commit();
        }
        BlockTransfer.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
        return meta;
    }

    private List<BucketVerifier.Issue> verify() throws Exception {
        return new BucketVerifier(bucket, dir.resolve("scratch")).verify(Set.copyOf(BucketVerifier.ALL));
    }

    @Test
    void aBucketWrittenByGauntletVerifiesCleanAndListsAsThanosPrints() throws Exception {
        BlockMeta first = upload(0, 2 * HOUR, EU);
        BlockMeta second = upload(2 * HOUR, 4 * HOUR, EU);

        assertThat(verify()).isEmpty();
        BucketInventory inventory = BucketInventory.scan(bucket, Map.of());
        assertThat(inventory.ulids()).isEqualTo(first.ulid() + "\n" + second.ulid() + "\n");
        assertThat(inventory.wide()).startsWith(first.ulid() + " -- 1970-01-01T00:00:00Z - 1970-01-01T02:00:00Z Diff: 2h0m0s, Compaction: 1,"
                + " Downsample: 0, Source: sidecar\n");
        assertThat(inventory.json()).contains("\"ulid\": \"" + second.ulid() + "\"").contains("\t\t\"source\": \"sidecar\"");
        assertThat(inventory.table().lines().toList()).hasSize(3);
        assertThat(inventory.table().lines().toList().get(1)).contains(first.ulid().toString(), "2h0m0s", "{cluster=\"eu-1\", replica=\"a\"}");
        assertThat(BucketInventory.scan(bucket, Map.of("cluster", "us-1")).blocks()).isEmpty();
    }

    @Test
    void injectedProblemsAreReportedExactlyWithTheirBlocks() throws Exception {
        BlockMeta clean = upload(0, 2 * HOUR, EU);
        BlockMeta overlapping = upload(HOUR, 3 * HOUR, EU);
        BlockMeta otherReplica = upload(HOUR, 3 * HOUR, Map.of("cluster", "eu-1", "replica", "b")); // another group: no overlap
        BlockMeta noIndex = upload(10 * HOUR, 12 * HOUR, EU);
        bucket.delete(noIndex.ulid() + "/index");
        BlockMeta partial = upload(20 * HOUR, 22 * HOUR, EU);
        bucket.delete(partial.ulid() + "/meta.json");
        BlockMeta outOfOrder = uploadWithTouchingChunks(30 * HOUR, 32 * HOUR, EU);

        List<BucketVerifier.Issue> issues = verify();

        assertThat(issues).extracting(BucketVerifier.Issue::kind, BucketVerifier.Issue::blocks).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(BucketVerifier.PARTIAL_UPLOAD, List.of(partial.ulid())),
                org.assertj.core.groups.Tuple.tuple(BucketVerifier.OVERLAPPED_BLOCKS, List.of(clean.ulid(), overlapping.ulid())),
                org.assertj.core.groups.Tuple.tuple(BucketVerifier.INDEX_KNOWN_ISSUES, List.of(noIndex.ulid())),
                org.assertj.core.groups.Tuple.tuple(BucketVerifier.INDEX_KNOWN_ISSUES, List.of(outOfOrder.ulid())));
        assertThat(issues).filteredOn(issue -> issue.blocks().contains(outOfOrder.ulid())).singleElement()
                .extracting(BucketVerifier.Issue::detail).asString().contains("overlaps the chunk before it");
        assertThat(issues).filteredOn(issue -> issue.blocks().contains(noIndex.ulid())).singleElement()
                .extracting(BucketVerifier.Issue::detail).asString().isEqualTo("missing index");
        assertThat(issues).noneMatch(issue -> issue.blocks().contains(otherReplica.ulid()));

        // a block marked for deletion is no longer checked
        new BlockMarker(bucket, events, Clock.systemUTC()).mark(overlapping.ulid(), DeletionMark.FILE, "overlap");
        assertThat(verify()).noneMatch(issue -> issue.kind().equals(BucketVerifier.OVERLAPPED_BLOCKS));
    }

    /**
     * A block whose one series has two chunks where the second starts where the first ends: written apart by two
     * milliseconds, then the index's delta patched to zero (overlong uvarint kept the same length) and its CRC redone.
     */
    private BlockMeta uploadWithTouchingChunks(long minTime, long maxTime, Map<String, String> labels) throws Exception {
        List<EncodedChunk> chunks = new ArrayList<>();
        for (long start : new long[] {minTime, minTime + 12}) {
            long[] ts = new long[10];
            double[] vs = new double[10];
            for (int i = 0; i < 10; i++) {
                ts[i] = start + i;
                vs[i] = i;
            }
            var cut = SeriesChunkCutter.cut(ts, vs, 10, maxTime - minTime).getFirst();
            chunks.add(new EncodedChunk(cut.minTime(), cut.maxTime(), ChunkEncoding.XOR.code(), cut.data()));
        }
        BlockMeta meta;
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(labels, 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), minTime, maxTime, options)) {
            writer.addSeries(Labels.of("__name__", "up", "job", "x"), chunks);
            meta = writer.commit();
        }
        Path index = dir.resolve("local").resolve(meta.ulid().toString()).resolve("index");
        long offset;
        try (IndexReader reader = IndexReader.open(index)) {
            Postings all = reader.allPostings();
            assertThat(all.next()).isTrue();
            offset = all.at() * 16;
        }
        byte[] bytes = Files.readAllBytes(index);
        int[] pos = {(int) offset};
        long length = uvarint(bytes, pos);
        int start = pos[0];
        long labelCount = uvarint(bytes, pos);
        for (int i = 0; i < 2 * labelCount; i++) {
            uvarint(bytes, pos);
        }
        assertThat(uvarint(bytes, pos)).isEqualTo(2); // chunk count
        uvarint(bytes, pos); // first min time (zigzag)
        uvarint(bytes, pos); // first max - min
        uvarint(bytes, pos); // first ref
        assertThat(bytes[pos[0]]).isEqualTo((byte) 3); // next min - previous max: 12 - 9
        bytes[pos[0]] = 0;
        CRC32C crc = new CRC32C();
        crc.update(bytes, start, (int) length);
        ByteBuffer.wrap(bytes, start + (int) length, 4).putInt((int) crc.getValue());
        Files.write(index, bytes);
        BlockTransfer.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
        return meta;
    }

    private static long uvarint(byte[] bytes, int[] pos) {
        long value = 0;
        int shift = 0;
        while (true) {
            int b = bytes[pos[0]++] & 0xFF;
            value |= (long) (b & 0x7F) << shift;
            if (b < 0x80) {
                return value;
            }
            shift += 7;
        }
    }

    @Test
    void marksAreWrittenAsThanosWritesThemAndPublishTheirEvents() throws Exception {
        BlockMeta block = upload(0, 2 * HOUR, EU);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_700_000_000), ZoneOffset.UTC);
        BlockMarker marker = new BlockMarker(bucket, events, clock);

        assertThat(marker.mark(block.ulid(), NoDownsampleMark.FILE, "keep raw")).isEqualTo(BlockMarker.Outcome.MARKED);
        try (InputStream in = bucket.get(block.ulid() + "/" + NoDownsampleMark.FILE)) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"" + block.ulid()
                    + "\",\"version\":1,\"details\":\"keep raw\",\"no_downsample_time\":1700000000,\"reason\":\"manual\"}");
        }
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(BlockEventType.MARKED_NO_DOWNSAMPLE);
            assertThat(event.ulid()).isEqualTo(block.ulid().toString());
        });
        assertThat(marker.mark(block.ulid(), NoDownsampleMark.FILE, "again")).isEqualTo(BlockMarker.Outcome.ALREADY_MARKED);
        assertThat(published).hasSize(1);
        published.clear();

        assertThat(marker.mark(block.ulid(), DeletionMark.FILE, "bad data")).isEqualTo(BlockMarker.Outcome.MARKED);
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(BlockEventType.MARKED_FOR_DELETION);
            assertThat(event.ulid()).isEqualTo(block.ulid().toString());
            assertThat(event.externalLabels()).isEqualTo(Labels.fromMap(EU));
        });
        assertThat(BucketInventory.scan(bucket, Map.of()).blocks().getFirst().marks())
                .containsExactly(DeletionMark.FILE, NoDownsampleMark.FILE);

        assertThat(marker.remove(block.ulid(), DeletionMark.FILE)).isEqualTo(BlockMarker.Outcome.REMOVED);
        assertThat(published.getLast().type()).isEqualTo(BlockEventType.UPLOADED);
        assertThat(marker.remove(block.ulid(), DeletionMark.FILE)).isEqualTo(BlockMarker.Outcome.NOT_MARKED);

        assertThat(marker.mark(block.ulid(), io.gauntlet.tsdb.block.NoCompactMark.FILE, "investigating")).isEqualTo(BlockMarker.Outcome.MARKED);
        assertThat(published.getLast().type()).as("as the compactor announces its own").isEqualTo(BlockEventType.MARKED_NO_COMPACT);

        Ulid missing = Ulid.generate();
        assertThatThrownBy(() -> marker.mark(missing, DeletionMark.FILE, "x")).isInstanceOf(ToolException.class)
                .hasMessageContaining("block " + missing + " not found");
        assertThatThrownBy(() -> marker.mark(block.ulid(), "other-mark.json", "x")).isInstanceOf(ToolException.class)
                .hasMessageContaining("unknown marker other-mark.json");
    }

    @Test
    void aNoDownsampleMarkFromTheToolsIsAnnouncedAndTheCompactorLeavesTheBlockRaw() throws Exception {
        BlockMeta raw = upload(0, 48 * HOUR, EU);
        new BlockMarker(bucket, events, Clock.systemUTC()).mark(raw.ulid(), NoDownsampleMark.FILE, "keep raw");
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(BlockEventType.MARKED_NO_DOWNSAMPLE);
            assertThat(event.type().cloudEventType()).isEqualTo("io.gauntlet.block.marked-no-downsample");
            assertThat(event.externalLabels()).isEqualTo(Labels.fromMap(EU));
        });
        io.gauntlet.compact.Compactor compactor = new io.gauntlet.compact.Compactor(bucket,
                io.gauntlet.compact.CompactorOptions.defaults(dir.resolve("compactor")).withDelays(Duration.ZERO, Duration.ofHours(48)),
                io.gauntlet.compact.BlockEventSink.NONE, new io.gauntlet.compact.CompactorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
                Clock.systemUTC());

        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).isZero();
        assertThat(new BucketDownsampler(bucket, events, dir.resolve("downsample")).run().made()).isEmpty();
        assertThat(BucketInventory.scan(bucket, Map.of()).blocks()).singleElement()
                .satisfies(entry -> assertThat(entry.meta().ulid()).isEqualTo(raw.ulid()));

        new BlockMarker(bucket, events, Clock.systemUTC()).remove(raw.ulid(), NoDownsampleMark.FILE);
        assertThat(compactor.sync(group -> true, () -> true).downsamplings()).as("without the mark the 48h block is due").isEqualTo(1);
    }

    @Test
    void retentionMarksOldBlocksAndCleanupDeletesThemAfterTheDelay() throws Exception {
        long base = (System.currentTimeMillis() / HOUR - 300) * HOUR;
        BlockMeta old = upload(base, base + 2 * HOUR, EU);
        BlockMeta recent = upload(base + 290 * HOUR, base + 292 * HOUR, EU);
        BlockMeta partial = upload(base + 250 * HOUR, base + 252 * HOUR, EU);
        bucket.delete(partial.ulid() + "/meta.json");
        Instant now = Instant.ofEpochMilli(base + 300 * HOUR);
        BucketCleanup cleanup = new BucketCleanup(bucket, events, Clock.fixed(now, ZoneOffset.UTC));

        assertThat(cleanup.applyRetention(resolution -> resolution == 0 ? Duration.ofHours(50) : Duration.ZERO)).containsExactly(old.ulid());
        assertThat(bucket.exists(old.ulid() + "/" + DeletionMark.FILE)).isTrue();
        assertThat(cleanup.cleanup(Duration.ofHours(48), Duration.ofDays(365 * 100))).isEqualTo(new BucketCleanup.Cleaned(List.of(), List.of()));

        BucketCleanup later = new BucketCleanup(bucket, events, Clock.fixed(now.plus(Duration.ofHours(49)), ZoneOffset.UTC));
        BucketCleanup.Cleaned cleaned = later.cleanup(Duration.ofHours(48), Duration.ZERO);
        assertThat(cleaned.blocks()).containsExactly(old.ulid());
        assertThat(cleaned.partials()).containsExactly(partial.ulid());
        assertThat(bucket.list(old.ulid() + "/", true)).isEmpty();
        assertThat(bucket.list(partial.ulid() + "/", true)).isEmpty();
        assertThat(bucket.exists(recent.ulid() + "/meta.json")).isTrue();
        assertThat(published).extracting(BlockEvent::type).containsExactly(BlockEventType.MARKED_FOR_DELETION, BlockEventType.DELETED);
    }

    @Test
    void replicateCopiesTheSelectedBlocksOnceAndSkipsThoseMarkedForDeletion() throws Exception {
        BlockMeta eu = upload(0, 2 * HOUR, EU);
        BlockMeta us = upload(0, 2 * HOUR, Map.of("cluster", "us-1"));
        BlockMeta deleted = upload(2 * HOUR, 4 * HOUR, EU);
        new BlockMarker(bucket, events, Clock.systemUTC()).mark(deleted.ulid(), DeletionMark.FILE, "gone");
        Bucket target = new FilesystemBucket(Files.createDirectories(dir.resolve("target")));
        BucketReplicator replicator = new BucketReplicator(bucket, target, events);

        var onlyEu = new BucketReplicator.Filter(Map.of("cluster", "eu-1"), Set.of(0L), Set.of(1));
        assertThat(replicator.replicate(onlyEu)).isEqualTo(new BucketReplicator.Replicated(List.of(eu.ulid()), List.of()));
        assertThat(replicator.replicate(BucketReplicator.Filter.ALL))
                .isEqualTo(new BucketReplicator.Replicated(List.of(us.ulid()), List.of(eu.ulid())));
        assertThat(target.list(eu.ulid() + "/", true)).isEqualTo(bucket.list(eu.ulid() + "/", true));
        assertThat(target.exists(deleted.ulid() + "/meta.json")).isFalse();
        assertThat(published).extracting(BlockEvent::type).endsWith(BlockEventType.UPLOADED, BlockEventType.UPLOADED);
    }

    @Test
    void uploadBlocksShipsAPrometheusDirectoryWithTheGivenLabelsOnce() throws Exception {
        Path tsdb = Files.createDirectories(dir.resolve("prometheus"));
        BlockMeta local;
        try (BlockWriter writer = BlockWriter.create(tsdb, 0, 2 * HOUR)) { // a plain Prometheus block: no thanos section
            writer.addSeries(Labels.of("__name__", "up", "job", "a"), new long[] {0, 60_000}, new double[] {1, 1}, 2);
            local = writer.commit();
        }
        BlockUploader uploader = new BlockUploader(bucket, events);

        assertThat(uploader.upload(tsdb, EU)).isEqualTo(1);
        assertThat(uploader.upload(tsdb, EU)).isZero();

        BlockMeta uploaded = BucketInventory.scan(bucket, Map.of()).blocks().getFirst().meta();
        assertThat(uploaded.ulid()).isEqualTo(local.ulid());
        assertThat(uploaded.thanos().labels()).isEqualTo(EU);
        assertThat(uploaded.thanos().source()).isEqualTo(BlockUploader.SOURCE);
        assertThat(uploaded.thanos().uploadInstant()).isPresent();
        assertThat(published).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(BlockEventType.UPLOADED);
            assertThat(event.ulid()).isEqualTo(local.ulid().toString());
        });
        assertThat(verify()).isEmpty();
        assertThatThrownBy(() -> uploader.upload(dir.resolve("missing"), EU)).isInstanceOf(ToolException.class).hasMessageContaining("not a directory");
    }

    @Test
    void goDurationsAsGoPrintsThem() {
        assertThat(GoFormat.duration(0)).isEqualTo("0s");
        assertThat(GoFormat.duration(500)).isEqualTo("500ms");
        assertThat(GoFormat.duration(90_000)).isEqualTo("1m30s");
        assertThat(GoFormat.duration(48 * HOUR)).isEqualTo("48h0m0s");
        assertThat(GoFormat.duration(1_500)).isEqualTo("1.5s");
        assertThat(GoFormat.duration(300_000)).isEqualTo("5m0s");
    }

    @Test
    void rewriteDropsTheSelectedSeriesAndPromtoolReadsTheRestUnchanged() throws Exception {
        io.gauntlet.tsdb.testing.Promtool promtool = io.gauntlet.tsdb.testing.Promtool.require();
        BlockMeta source = upload(0, 2 * HOUR, EU);
        List<BucketRewriter.DeletionRequest> deletions = BucketRewriter.DeletionRequest.parseYaml("- matchers: '{job=\"b\"}'\n");
        BucketRewriter rewriter = new BucketRewriter(bucket, events, Clock.systemUTC());

        List<String> dryRunLog = new ArrayList<>();
        BucketRewriter.Rewritten dryRun = rewriter.rewrite(source.ulid(), deletions, true, true, dir.resolve("dry"), dryRunLog::add);
        assertThat(dryRunLog).containsExactly("Deleted {__name__=\"up\", job=\"b\"} [{0 7140000}]");
        assertThat(dryRun.seriesDeleted()).isEqualTo(1);
        assertThat(bucket.list("", false)).as("a dry run writes nothing").containsExactly(source.ulid() + "/");

        BucketRewriter.Rewritten done = rewriter.rewrite(source.ulid(), deletions, false, true, dir.resolve("work"), line -> { });

        assertThat(done.sourceMarked()).isTrue();
        BlockMeta rewritten = BlockMeta.parse(bucket.get(done.target() + "/meta.json").readAllBytes(), done.target().toString());
        assertThat(rewritten.thanos().source()).isEqualTo("bucket.rewrite");
        assertThat(rewritten.compaction().sources()).containsExactly(done.target());
        assertThat(rewritten.thanos().labels()).isEqualTo(EU);
        assertThat(rewritten.thanos().rewrites().toString()).isEqualTo("[{\"sources\":[\"" + source.ulid()
                + "\"],\"deletions_applied\":[{\"matchers\":[{\"Type\":0,\"Name\":\"job\",\"Value\":\"b\"}]}]}]");
        assertThat(published).extracting(BlockEvent::type).containsExactly(BlockEventType.UPLOADED, BlockEventType.MARKED_FOR_DELETION);
        assertThat(verify()).as("the rewritten bucket is verify-clean (the source is marked)").isEmpty();

        // the reference: promtool's dump of the new block is the source's dump without job="b"
        Path before = Files.createDirectories(dir.resolve("before"));
        Path after = Files.createDirectories(dir.resolve("after"));
        Files.createDirectories(before.resolve("wal")); // promtool opens a whole (read-only) database
        Files.createDirectories(after.resolve("wal"));
        BlockTransfer.download(bucket, source.ulid(), before);
        BlockTransfer.download(bucket, done.target(), after);
        List<String> expected = promtool.dump(before).stream().filter(line -> !line.contains("job=\"b\"")).toList();
        assertThat(expected).hasSize(2 * 120);
        assertThat(promtool.dump(after)).isEqualTo(expected);
    }

    /** promtool's dump of one block of the bucket. */
    private List<String> dump(io.gauntlet.tsdb.testing.Promtool promtool, Ulid block) throws Exception {
        Path database = Files.createDirectories(dir.resolve("dump-" + block));
        Files.createDirectories(database.resolve("wal")); // promtool opens a whole (read-only) database
        BlockTransfer.download(bucket, block, database);
        return promtool.dump(database);
    }

    @Test
    void rewriteRelabelsSeriesAsPrometheusRelabelConfigsSayAndMergesSeriesThatBecomeOne() throws Exception {
        io.gauntlet.tsdb.testing.Promtool promtool = io.gauntlet.tsdb.testing.Promtool.require();
        BlockMeta source = upload(0, 2 * HOUR, EU);
        List<io.gauntlet.rules.notifier.RelabelConfig> relabels = io.gauntlet.rules.notifier.RelabelConfig.parseList("""
                - source_labels: [job]
                  regex: a|c
                  action: keep
                - source_labels: [__name__, job]
                  regex: up;c
                  action: drop
                - source_labels: [job]
                  regex: (a)
                  target_label: team
                  replacement: red-$1
                """);
        BucketRewriter rewriter = new BucketRewriter(bucket, events, Clock.systemUTC());
        List<String> changes = new ArrayList<>();

        BucketRewriter.Rewritten done = rewriter.rewrite(source.ulid(), List.of(), relabels, false, false, dir.resolve("work"), changes::add);

        assertThat(changes).containsExactly(
                "Relabelled {__name__=\"up\", job=\"a\"} {__name__=\"up\", job=\"a\", team=\"red-a\"}",
                "Deleted {__name__=\"up\", job=\"b\"} [{0 7140000}]",
                "Deleted {__name__=\"up\", job=\"c\"} [{0 7140000}]");
        assertThat(done).extracting(BucketRewriter.Rewritten::seriesKept, BucketRewriter.Rewritten::seriesDeleted,
                BucketRewriter.Rewritten::seriesRelabelled).containsExactly(1L, 2L, 1L);
        List<String> expected = dump(promtool, source.ulid()).stream().filter(line -> line.contains("job=\"a\""))
                .map(line -> line.replace("job=\"a\"}", "job=\"a\", team=\"red-a\"}")).toList();
        assertThat(expected).hasSize(120);
        assertThat(dump(promtool, done.target())).isEqualTo(expected);
        BlockMeta rewritten = BlockMeta.parse(bucket.get(done.target() + "/meta.json").readAllBytes(), done.target().toString());
        assertThat(rewritten.thanos().rewrites().toString()).isEqualTo("[{\"sources\":[\"" + source.ulid() + "\"],\"relabels_applied\":["
                + "{\"source_labels\":[\"job\"],\"separator\":\";\",\"regex\":\"a|c\",\"replacement\":\"$1\",\"action\":\"keep\"},"
                + "{\"source_labels\":[\"__name__\",\"job\"],\"separator\":\";\",\"regex\":\"up;c\",\"replacement\":\"$1\",\"action\":\"drop\"},"
                + "{\"source_labels\":[\"job\"],\"separator\":\";\",\"regex\":\"(a)\",\"target_label\":\"team\",\"replacement\":\"red-$1\","
                + "\"action\":\"replace\"}]}]");

        // every series relabelled to {__name__="up"}: one series, the samples of all three merged by timestamp
        BucketRewriter.Rewritten merged = rewriter.rewrite(source.ulid(), List.of(),
                io.gauntlet.rules.notifier.RelabelConfig.parseList("- regex: job\n  action: labeldrop\n"), false, false, dir.resolve("merge"), line -> { });
        assertThat(merged.seriesKept()).isEqualTo(1);
        assertThat(dump(promtool, merged.target())).isEqualTo(dump(promtool, source.ulid()).stream().filter(line -> line.contains("job=\"a\""))
                .map(line -> line.replace(", job=\"a\"", "")).toList());
        assertThat(verify()).as("the source and its rewrites overlap, as Thanos' rewrite leaves them without --delete-blocks")
                .extracting(BucketVerifier.Issue::kind).containsOnly(BucketVerifier.OVERLAPPED_BLOCKS);
    }

    @Test
    void rewriteDeletesOnlyTheSamplesInsideADeletionRequestsIntervals() throws Exception {
        io.gauntlet.tsdb.testing.Promtool promtool = io.gauntlet.tsdb.testing.Promtool.require();
        BlockMeta source = upload(0, 2 * HOUR, EU);
        List<BucketRewriter.DeletionRequest> deletions = BucketRewriter.DeletionRequest.parseYaml("""
                - matchers: '{job="b"}'
                  intervals:
                  - mint: 0
                    maxt: 1799999
                  - mint: 3600000
                    maxt: 3600000
                """);
        BucketRewriter rewriter = new BucketRewriter(bucket, events, Clock.systemUTC());
        List<String> changes = new ArrayList<>();

        BucketRewriter.Rewritten done = rewriter.rewrite(source.ulid(), deletions, false, true, dir.resolve("work"), changes::add);

        assertThat(changes).containsExactly("Deleted {__name__=\"up\", job=\"b\"} [{0 1799999} {3600000 3600000}]");
        assertThat(done.seriesKept()).isEqualTo(3);
        List<String> expected = dump(promtool, source.ulid()).stream().filter(line -> {
            if (!line.contains("job=\"b\"")) {
                return true;
            }
            long t = Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
            return !(t <= 1_799_999 || t == 3_600_000);
        }).toList();
        assertThat(expected).hasSize(3 * 120 - 31);
        assertThat(dump(promtool, done.target())).isEqualTo(expected);
        BlockMeta rewritten = BlockMeta.parse(bucket.get(done.target() + "/meta.json").readAllBytes(), done.target().toString());
        assertThat(rewritten.thanos().rewrites().toString()).isEqualTo("[{\"sources\":[\"" + source.ulid() + "\"],\"deletions_applied\":[{"
                + "\"matchers\":[{\"Type\":0,\"Name\":\"job\",\"Value\":\"b\"}],\"intervals\":[{\"Mint\":0,\"Maxt\":1799999},"
                + "{\"Mint\":3600000,\"Maxt\":3600000}]}]}]");
        assertThat(verify()).as("the source is marked for deletion").isEmpty();

        assertThatThrownBy(() -> BucketRewriter.DeletionRequest.parseYaml("- matchers: '{job=\"b\"}'\n  intervals: [{mint: 5, maxt: 1}]"))
                .hasMessageContaining("deletion request 0: interval maxt 1 is before its mint 5");
        assertThatThrownBy(() -> BucketRewriter.DeletionRequest.parseYaml("- matchers: '{job=\"b\"}'\n  intervals: [{from: 5}]"))
                .hasMessageContaining("each interval must be {mint: <ms>, maxt: <ms>}");
    }

    @Test
    void repairBacksUpAndMarksADuplicatedCompactionAndLeavesTheOldest() throws Exception {
        List<Ulid> sources = List.of(Ulid.generate(0), Ulid.generate(1));
        List<BlockMeta> compacted = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(EU, 0, "compactor"))
                    .withCompaction(new BlockMeta.Compaction(2, sources, false, List.of(), false, List.of(), Map.of()));
            try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), 0, 4 * HOUR, options)) {
                writer.addSeries(Labels.of("__name__", "up", "job", "a"), new long[] {0, 60_000}, new double[] {1, 1}, 2);
                BlockMeta meta = writer.commit();
                BlockTransfer.upload(bucket, dir.resolve("local").resolve(meta.ulid().toString()), meta.ulid());
                compacted.add(meta);
            }
        }
        compacted.sort(java.util.Comparator.comparing(BlockMeta::ulid));
        Bucket backup = new FilesystemBucket(Files.createDirectories(dir.resolve("backup")));

        BucketRepair.Repaired repaired = new BucketRepair(bucket, backup, events, Clock.systemUTC()).repair(verify());

        assertThat(repaired.removed()).containsExactly(compacted.get(1).ulid());
        assertThat(repaired.notRepaired()).extracting(BucketVerifier.Issue::kind).containsExactly(BucketVerifier.OVERLAPPED_BLOCKS);
        assertThat(backup.list("", true)).containsExactlyElementsOf(bucket.list(compacted.get(1).ulid() + "/", true).stream()
                .filter(name -> !name.endsWith(DeletionMark.FILE)).toList());
        assertThat(bucket.exists(compacted.get(1).ulid() + "/" + DeletionMark.FILE)).isTrue();
        assertThat(published).extracting(BlockEvent::type).containsExactly(BlockEventType.MARKED_FOR_DELETION);
        assertThat(verify()).as("the kept block alone is left").isEmpty();
    }
}
