package io.gauntlet.compact;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.CompactionGroupKey;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One compactor over one bucket (Thanos' {@code BucketCompactor}), driven by {@link #sync}: scan the bucket, group the
 * blocks, garbage-collect duplicates, then for every group this process owns: compact while the planner finds work,
 * downsample, apply retention; finally delete blocks whose deletion mark is older than the delete delay and abandoned
 * partial uploads. Every step is idempotent and ordered so that a crash at any point loses and doubles nothing: the
 * new block's meta.json is uploaded last, its sources are marked only afterwards (until then they are duplicates by
 * sources and hidden by every reader), and a half-uploaded block stays a partial upload nobody reads.
 *
 * <p>Overlapping blocks without deduplication halt only their group ({@code thanos_compact_halted}), re-checked each
 * sync. Other failures of a group are logged and counted, and the group is tried again at the next sync.
 * Not thread-safe: one sync at a time.
 */
public final class Compactor {
    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(10);
    /** no-compact-mark.json reasons of blocks the compactor found damaged start with this. */
    public static final String CORRUPTED_REASON_PREFIX = "corrupted-";

    /** What one sync did. */
    public record SyncReport(int compactions, int downsamplings, int markedForDeletion, int deleted, Set<String> haltedGroups,
                             Set<String> failedGroups, Set<String> groups) {
    }

    private final Bucket bucket;
    private final CompactorOptions options;
    private final BlockEventSink events;
    private final CompactorMetrics metrics;
    private final Clock clock;
    private final BucketScan scan;
    private final BlockGrouping grouping;
    private final CompactionPlanner planner;
    private final Downsampler downsampler;
    private final Set<Ulid> announced = ConcurrentHashMap.newKeySet();
    private final Map<String, String> halted = new ConcurrentHashMap<>();

    public Compactor(Bucket bucket, CompactorOptions options, BlockEventSink events, CompactorMetrics metrics, Clock clock) {
        this.bucket = bucket;
        this.options = options;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.scan = new BucketScan(bucket);
        this.grouping = new BlockGrouping(options.replicaLabels(), options.consistencyDelay());
        this.planner = new CompactionPlanner(options.ranges());
        this.downsampler = new Downsampler();
    }

    public CompactorOptions options() {
        return options;
    }

    /** A block.uploaded event arrived: the block is complete and needs no consistency delay. */
    public void announced(Ulid ulid) {
        announced.add(ulid);
    }

    /** The group key a block belongs to (replica labels dropped), the key its events are published under. */
    public String groupKey(BlockMeta meta) {
        return grouping.groupKey(meta);
    }

    /** The group a block event's block belongs to here (replica labels dropped), whatever key it was published under. */
    public String groupKey(BlockEvent event) {
        Map<String, String> labels = event.externalLabels().toMap();
        options.replicaLabels().forEach(labels::remove);
        return CompactionGroupKey.of(event.resolution(), labels);
    }

    /** Halted groups with the reason. */
    public Map<String, String> haltedGroups() {
        return Map.copyOf(halted);
    }

    /**
     * One pass over the bucket.
     *
     * @param ownsGroup whether this process owns a group (its Kafka partition is assigned here)
     * @param keepGoing checked at safe points (before each compaction or downsampling); false stops the pass there
     */
    public SyncReport sync(Predicate<String> ownsGroup, BooleanSupplier keepGoing) {
        Instant now = clock.instant();
        BucketScan.Snapshot snapshot = scan.scan();
        // announcements matter only while the consistency delay would hide a block
        announced.removeIf(ulid -> ulid.timestamp() + options.consistencyDelay().toMillis() < now.toEpochMilli());
        BlockGrouping.Grouped grouped = grouping.group(snapshot, announced::contains, now);
        int marked = 0;
        for (BlockMeta duplicate : grouped.duplicates()) {
            if (ownsGroup.test(grouping.groupKey(duplicate)) && markForDeletion(duplicate, "duplicate: its sources are in another block")) {
                metrics.garbageCollected();
                marked++;
            }
        }
        int compactions = 0;
        int downsamplings = 0;
        Set<String> failed = new TreeSet<>();
        Set<String> owned = new TreeSet<>();
        // grows when this pass finds a damaged source: the group is then planned around it at once
        Set<Ulid> noCompact = ConcurrentHashMap.newKeySet();
        noCompact.addAll(snapshot.noCompactMarks().keySet());
        Set<Ulid> damaged = ConcurrentHashMap.newKeySet();
        snapshot.noCompactMarks().forEach((ulid, mark) -> {
            if (mark.reason().startsWith(CORRUPTED_REASON_PREFIX)) {
                damaged.add(ulid);
            }
        });
        for (CompactionGroup group : grouped.groups().values()) {
            if (!ownsGroup.test(group.key())) {
                halted.remove(group.key());
                continue;
            }
            owned.add(group.key());
            if (!keepGoing.getAsBoolean()) {
                break;
            }
            // a safe point before every compaction: stop when the group is revoked or the pass is stopped
            BooleanSupplier proceed = () -> keepGoing.getAsBoolean() && ownsGroup.test(group.key());
            try {
                GroupOutcome outcome = runGroup(group, noCompact, damaged, proceed);
                compactions += outcome.compactions;
                marked += outcome.marked;
                if (options.downsampling() && proceed.getAsBoolean()) {
                    downsamplings += downsampleGroup(outcome.blocks, group, snapshot, damaged, proceed, made -> { }, failure -> { });
                }
                if (proceed.getAsBoolean()) {
                    marked += applyRetention(outcome.blocks, group, now);
                }
            } catch (CancellationException e) {
                LOG.log(System.Logger.Level.INFO, "{0}: work stopped at a safe point ({1}); nothing was uploaded", group, e.getMessage());
            } catch (IOException | StorageException | RuntimeException e) {
                failed.add(group.key());
                metrics.compactionFailed();
                LOG.log(System.Logger.Level.ERROR, "compaction of " + group + " failed, retrying at the next sync: " + e, e);
            }
        }
        halted.keySet().retainAll(grouped.groups().keySet());
        metrics.halted(halted.keySet());
        int deleted = deleteMarked(snapshot, ownsGroup, now);
        cleanPartials(snapshot, now);
        return new SyncReport(compactions, downsamplings, marked, deleted, Set.copyOf(halted.keySet()), failed, owned);
    }

    /**
     * Downsampling alone, once over the whole bucket (Thanos' {@code tools bucket downsample} pass): raw blocks to 5m, then
     * 5m blocks (including those just made) to 1h. Blocks marked no-downsample, or no-compact for damage, are left alone.
     *
     * @return the blocks made, and a line for each block that failed (logged with its cause)
     */
    public DownsampleReport downsampleOnce(BooleanSupplier keepGoing) {
        List<BlockMeta> made = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (long resolution : List.of(Downsampling.RES_RAW, Downsampling.RES_5M)) {
            BucketScan.Snapshot snapshot = scan.scan();
            Set<Ulid> damaged = new HashSet<>();
            snapshot.noCompactMarks().forEach((ulid, mark) -> {
                if (mark.reason().startsWith(CORRUPTED_REASON_PREFIX)) {
                    damaged.add(ulid);
                }
            });
            for (CompactionGroup group : grouping.group(snapshot, announced::contains, clock.instant()).groups().values()) {
                if (group.resolution() == resolution && keepGoing.getAsBoolean()) {
                    downsampleGroup(group.blocks(), group, snapshot, damaged, keepGoing, made::add, failures::add);
                }
            }
        }
        return new DownsampleReport(List.copyOf(made), List.copyOf(failures));
    }

    /** What {@link #downsampleOnce} did. */
    public record DownsampleReport(List<BlockMeta> made, List<String> failures) {
    }

    private static final class GroupOutcome {
        int compactions;
        int marked;
        List<BlockMeta> blocks;
    }

    private GroupOutcome runGroup(CompactionGroup group, Set<Ulid> noCompact, Set<Ulid> damaged, BooleanSupplier keepGoing)
            throws IOException, StorageException {
        GroupOutcome outcome = new GroupOutcome();
        List<BlockMeta> blocks = new ArrayList<>(group.blocks());
        outcome.blocks = blocks;
        while (true) {
            if (options.deduplication() == Deduplication.NONE) {
                List<BlockMeta> compactable = blocks.stream().filter(meta -> !noCompact.contains(meta.ulid())).toList();
                List<BlockMeta> overlapping = CompactionPlanner.overlapping(compactable);
                if (!overlapping.isEmpty()) {
                    String reason = new OverlappingBlocksException(group.key(), overlapping).getMessage();
                    if (!reason.equals(halted.put(group.key(), reason))) {
                        LOG.log(System.Logger.Level.ERROR, "halting compaction of this group only: " + reason);
                    }
                    return outcome;
                }
                if (halted.remove(group.key()) != null) {
                    LOG.log(System.Logger.Level.INFO, "group {0}: blocks no longer overlap, compaction resumes", group.key());
                }
            }
            List<BlockMeta> plan = planner.plan(blocks, noCompact);
            if (plan.isEmpty() || !keepGoing.getAsBoolean()) {
                return outcome;
            }
            // blocks marked no-compact are the operator's call: an overlap with them is expected
            BlockMeta compacted;
            try {
                compacted = compact(group, plan, blocks.stream().filter(meta -> !noCompact.contains(meta.ulid())).toList(), keepGoing);
            } catch (DamagedSourcesException e) {
                noCompact.addAll(e.sources()); // marked no-compact: plan the group again without them
                damaged.addAll(e.sources());
                continue;
            }
            outcome.compactions++;
            outcome.marked += plan.size();
            blocks.removeAll(plan);
            blocks.add(compacted);
            blocks.sort(CompactionPlanner.BY_MIN_TIME);
        }
    }

    /** Compacts {@code plan}, uploads the result, then marks the sources; returns the new block's meta. */
    BlockMeta compact(CompactionGroup group, List<BlockMeta> plan, List<BlockMeta> groupBlocks, BooleanSupplier proceed)
            throws IOException, StorageException {
        long started = System.nanoTime();
        Path work = workDirectory(group.key());
        try {
            List<Path> sources = new ArrayList<>();
            List<Ulid> damagedSources = new ArrayList<>();
            for (BlockMeta source : plan) {
                Path local = BlockTransfer.download(bucket, source.ulid(), work.resolve("sources"));
                sources.add(local);
                try {
                    SourceVerifier.verify(local, source);
                } catch (CorruptedDataException e) {
                    markDamaged(source, e);
                    damagedSources.add(source.ulid());
                }
            }
            if (!damagedSources.isEmpty()) {
                throw new DamagedSourcesException(damagedSources);
            }
            LOG.log(System.Logger.Level.INFO, "{0}: compacting {1} blocks {2} [{3}, {4})", group, plan.size(), ulids(plan),
                    plan.stream().mapToLong(BlockMeta::minTime).min().orElseThrow(), plan.stream().mapToLong(BlockMeta::maxTime).max().orElseThrow());
            BlockCompactor.Result result;
            try {
                result = BlockCompactor.compact(sources, work.resolve("output"), group.labels(), options.deduplication(),
                        progressLog("compacting " + group.key(), started, proceed));
            } catch (CorruptedDataException e) {
                // verified a moment ago, so unlikely; still, damage met while merging is the source's, not the group's
                BlockMeta source = plan.stream().filter(meta -> meta.ulid().toString().equals(e.block())).findFirst().orElseThrow(() -> e);
                markDamaged(source, e);
                throw new DamagedSourcesException(List.of(source.ulid()));
            }
            BlockMeta meta = result.meta();
            List<String> problems = BlockVerifier.verify(result.directory());
            for (BlockMeta other : groupBlocks) {
                if (!plan.contains(other) && other.minTime() < meta.maxTime() && meta.minTime() < other.maxTime()
                        && options.deduplication() == Deduplication.NONE) {
                    problems.add("the new block [" + meta.minTime() + ", " + meta.maxTime() + ") overlaps block " + other.ulid() + " of the group");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("compacted block " + meta.ulid() + " failed verification, not uploaded: " + problems);
            }
            if (!proceed.getAsBoolean()) {
                throw new CancellationException("stopped before uploading " + meta.ulid());
            }
            uploadNewBlock(result.directory(), meta);
            for (BlockMeta source : plan) {
                markForDeletion(source, "compacted into " + meta.ulid());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            metrics.compacted(took, meta.stats().numSamples());
            LOG.log(System.Logger.Level.INFO, "{0}: compacted {1} blocks into {2} (level {3}, {4} series, {5} samples) in {6} ms", group,
                    plan.size(), meta.ulid(), meta.compaction().level(), meta.stats().numSeries(), meta.stats().numSamples(), took.toMillis());
            return meta;
        } finally {
            BlockTransfer.deleteRecursively(work);
        }
    }

    /** Uploads a verified local block (meta.json last) and publishes block.uploaded. */
    void uploadNewBlock(Path directory, BlockMeta meta) throws IOException {
        BlockTransfer.upload(bucket, directory, meta.ulid());
        scan.remember(meta);
        announced.add(meta.ulid());
        events.publish(event(BlockEventType.UPLOADED, meta));
    }

    Path workDirectory(String groupKey) throws IOException {
        Path work = options.scratch().resolve("compact").resolve(groupKey.replace('@', '-'));
        BlockTransfer.deleteRecursively(work); // leftovers of a crash
        Files.createDirectories(work);
        return work;
    }

    CompactionProgress progressLog(String what, long startedNanos, BooleanSupplier proceed) {
        long[] lastLog = {startedNanos};
        return (fraction, samples) -> {
            if (!proceed.getAsBoolean()) {
                throw new CancellationException(what + " stopped at " + Math.round(fraction * 100) + "%");
            }
            long now = System.nanoTime();
            if (now - lastLog[0] < PROGRESS_INTERVAL.toNanos() && fraction < 1.0) {
                return;
            }
            lastLog[0] = now;
            double seconds = Math.max(1e-9, (now - startedNanos) / 1e9);
            LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "%s: %.0f%%, %d samples, %.0f samples/s", what,
                    fraction * 100, samples, samples / seconds));
        };
    }

    /**
     * Marks a source whose damage {@link SourceVerifier} found: no-compact-mark.json (Thanos' format) with reason
     * {@code corrupted-<kind>} and the damage as details, one ERROR line, then block.marked-no-compact. A block already
     * marked (by hand, say) keeps its mark.
     */
    void markDamaged(BlockMeta meta, CorruptedDataException damage) {
        LOG.log(System.Logger.Level.ERROR, "source block {0} is damaged and left out of compaction and downsampling: cause={1} file={2} "
                + "offset={3}: {4}", meta.ulid(), damage.kind().label(), damage.file(), damage.offset(), damage.getMessage());
        String object = meta.ulid() + Bucket.DELIMITER + NoCompactMark.FILE;
        if (bucket.exists(object)) {
            return;
        }
        byte[] json = NoCompactMark.of(meta.ulid(), damage.getMessage(), clock.instant().getEpochSecond(), corruptedReason(damage.kind())).toJson();
        bucket.upload(object, new ByteArrayInputStream(json), json.length);
        metrics.markedNoCompact();
        try {
            events.publish(event(BlockEventType.MARKED_NO_COMPACT, meta));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "block {0} is marked no-compact but its event could not be stored: {1}", meta.ulid(), e.toString());
        }
    }

    /** The no-compact reason of a damaged block: {@code corrupted-checksum}, {@code corrupted-missing-file}, … */
    static String corruptedReason(CorruptedDataException.Kind kind) {
        return CORRUPTED_REASON_PREFIX + kind.label().replace('_', '-');
    }

    /** Sources found damaged while a compaction prepared: marked, to be planned around. */
    private static final class DamagedSourcesException extends RuntimeException {
        private final List<Ulid> sources;

        DamagedSourcesException(List<Ulid> sources) {
            super("damaged sources " + sources, null, false, false);
            this.sources = List.copyOf(sources);
        }

        List<Ulid> sources() {
            return sources;
        }
    }

    /** Writes deletion-mark.json (unless present) and publishes block.marked-for-deletion; false if it was marked already. */
    boolean markForDeletion(BlockMeta meta, String details) {
        String object = meta.ulid() + Bucket.DELIMITER + DeletionMark.FILE;
        if (bucket.exists(object)) {
            return false;
        }
        byte[] json = DeletionMark.of(meta.ulid(), details, clock.instant().getEpochSecond()).toJson();
        bucket.upload(object, new ByteArrayInputStream(json), json.length);
        metrics.markedForDeletion(1);
        try {
            events.publish(event(BlockEventType.MARKED_FOR_DELETION, meta));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "block {0} is marked for deletion but its event could not be stored: {1}", meta.ulid(), e.toString());
        }
        return true;
    }

    BlockEvent event(BlockEventType type, BlockMeta meta) {
        Map<String, String> labels = meta.thanos() == null ? Map.of() : meta.thanos().labels();
        List<String> sources = BlockGrouping.sourcesOf(meta).stream().sorted().map(Ulid::toString).toList();
        return BlockEvent.of(type, meta.ulid().toString(), meta.minTime(), meta.maxTime(), Labels.fromMap(labels),
                BlockGrouping.resolution(meta), Math.max(1, meta.compaction().level()), sources,
                new BlockStats(meta.stats().numSamples(), meta.stats().numSeries(), meta.stats().numChunks()), options.producer());
    }

    private int downsampleGroup(List<BlockMeta> blocks, CompactionGroup group, BucketScan.Snapshot snapshot, Set<Ulid> damaged,
            BooleanSupplier keepGoing, Consumer<BlockMeta> made, Consumer<String> failures) {
        int done = 0;
        for (BlockMeta block : downsampler.due(blocks, group, grouping, snapshot)) {
            if (!keepGoing.getAsBoolean()) {
                break;
            }
            if (damaged.contains(block.ulid())) {
                continue; // marked no-compact for damage: its samples cannot be trusted to downsample either
            }
            long started = System.nanoTime();
            try {
                if (bucket.exists(block.ulid() + Bucket.DELIMITER + NoDownsampleMark.FILE)) {
                    continue; // marked since the scan (block.marked-no-downsample): the operator's mark wins over a planned pass
                }
                Path work = workDirectory(group.key() + "-downsample");
                try {
                    Path source = BlockTransfer.download(bucket, block.ulid(), work.resolve("sources"));
                    try {
                        SourceVerifier.verify(source, block);
                    } catch (CorruptedDataException e) {
                        markDamaged(block, e);
                        damaged.add(block.ulid());
                        continue;
                    }
                    long resolution = Downsampler.targetResolution(BlockGrouping.resolution(block));
                    BlockCompactor.Result result = downsampler.downsample(source, work.resolve("output"), resolution,
                            progressLog("downsampling " + block.ulid() + " to " + resolution + " ms", started, keepGoing));
                    List<String> problems = BlockVerifier.verify(result.directory());
                    if (!problems.isEmpty()) {
                        throw new IllegalStateException("downsampled block " + result.meta().ulid() + " failed verification: " + problems);
                    }
                    if (!keepGoing.getAsBoolean()) {
                        throw new CancellationException("stopped before uploading " + result.meta().ulid());
                    }
                    uploadNewBlock(result.directory(), result.meta());
                    made.accept(result.meta());
                    metrics.downsampled(Duration.ofNanos(System.nanoTime() - started));
                    LOG.log(System.Logger.Level.INFO, "downsampled block {0} to resolution {1} ms as {2}", block.ulid(), resolution,
                            result.meta().ulid());
                    done++;
                } finally {
                    BlockTransfer.deleteRecursively(work);
                }
            } catch (CancellationException e) {
                throw e;
            } catch (IOException | StorageException | RuntimeException e) {
                metrics.downsampleFailed();
                failures.accept("downsampling block " + block.ulid() + " failed: " + e);
                LOG.log(System.Logger.Level.ERROR, "downsampling block " + block.ulid() + " failed, retrying at the next sync: " + e, e);
            }
        }
        return done;
    }

    /** Marks blocks whose whole range is older than their resolution's retention. */
    private int applyRetention(List<BlockMeta> blocks, CompactionGroup group, Instant now) {
        Duration retention = options.retention(group.resolution());
        if (retention.isZero()) {
            return 0;
        }
        int marked = 0;
        long cutoff = now.toEpochMilli() - retention.toMillis();
        for (BlockMeta block : blocks) {
            if (block.maxTime() < cutoff && markForDeletion(block, "retention of resolution " + group.resolution() + " ms is " + retention)) {
                LOG.log(System.Logger.Level.INFO, "block {0} ends before the retention of {1}, marked for deletion", block.ulid(), retention);
                marked++;
            }
        }
        return marked;
    }

    /** Deletes blocks marked longer than the delete delay ago: meta.json first, then the rest, the mark last. */
    private int deleteMarked(BucketScan.Snapshot snapshot, Predicate<String> ownsGroup, Instant now) {
        int deleted = 0;
        for (DeletionMark mark : snapshot.deletionMarks().values()) {
            BlockMeta meta = snapshot.metas().get(mark.id());
            if (meta != null && !ownsGroup.test(grouping.groupKey(meta))) {
                continue;
            }
            if (mark.deletionTime() + options.deleteDelay().toSeconds() > now.getEpochSecond()) {
                continue;
            }
            try {
                BlockTransfer.deleteBlock(bucket, mark.id());
                metrics.deleted();
                deleted++;
                LOG.log(System.Logger.Level.INFO, "deleted block {0} (marked at {1})", mark.id(), Instant.ofEpochSecond(mark.deletionTime()));
                if (meta != null) {
                    events.publish(event(BlockEventType.DELETED, meta));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete block {0} yet: {1}", mark.id(), e.toString());
            }
        }
        return deleted;
    }

    /** Partial uploads (no meta.json) older than the threshold by their ULID time are abandoned: deleted outright. */
    private void cleanPartials(BucketScan.Snapshot snapshot, Instant now) {
        for (Ulid partial : snapshot.partials()) {
            if (partial.timestamp() + options.partialUploadAge().toMillis() > now.toEpochMilli() || snapshot.deletionMarks().containsKey(partial)) {
                continue;
            }
            try {
                String prefix = partial + Bucket.DELIMITER;
                for (String object : bucket.list(prefix, true)) {
                    bucket.delete(object);
                }
                metrics.partialCleaned();
                LOG.log(System.Logger.Level.INFO, "deleted abandoned partial upload {0}", partial);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete partial upload {0}: {1}", partial, e.toString());
            }
        }
    }

    private static String ulids(List<BlockMeta> blocks) {
        return blocks.stream().map(meta -> meta.ulid().toString()).toList().toString();
    }

    /** Blocks by ULID, for tests and the service. */
    public Map<Ulid, BlockMeta> scanBlocks() {
        return new TreeMap<>(scan.scan().metas());
    }
}
