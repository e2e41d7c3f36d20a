package io.gauntlet.compact;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The compactor's metrics with Thanos' names where Thanos has one: {@code thanos_compact_group_compactions_total},
 * {@code thanos_compact_group_compactions_failures_total}, {@code thanos_compact_downsample_total},
 * {@code thanos_compact_blocks_marked_total}, {@code thanos_compact_garbage_collected_blocks_total},
 * {@code thanos_compact_blocks_cleaned_total}, {@code thanos_compact_halted} (here: groups halted, with a gauge per
 * group in {@code gauntlet_compact_group_halted}) and {@code thanos_compact_group_compaction_duration_seconds}.
 */
public final class CompactorMetrics {
    private final MeterRegistry registry;
    private final Counter compactions;
    private final Counter compactionFailures;
    private final Counter downsamples;
    private final Counter downsampleFailures;
    private final Counter marked;
    private final Counter markedNoCompact;
    private final Counter garbageCollected;
    private final Counter deleted;
    private final Counter partialsCleaned;
    private final Counter samplesCompacted;
    private final Timer compactionDuration;
    private final Timer downsampleDuration;
    private final AtomicInteger halted = new AtomicInteger();
    private final Map<String, AtomicInteger> haltedByGroup = new ConcurrentHashMap<>();

    public CompactorMetrics(MeterRegistry registry) {
        this.registry = registry;
        compactions = Counter.builder("thanos_compact_group_compactions").description("Group compactions done").register(registry);
        compactionFailures = Counter.builder("thanos_compact_group_compactions_failures").description("Group compactions that failed")
                .register(registry);
        downsamples = Counter.builder("thanos_compact_downsample").description("Blocks downsampled").register(registry);
        downsampleFailures = Counter.builder("thanos_compact_downsample_failures").description("Downsamplings that failed").register(registry);
        marked = Counter.builder("thanos_compact_blocks_marked").description("Blocks marked for deletion").tag("marker", "deletion-mark.json")
                .register(registry);
        markedNoCompact = Counter.builder("thanos_compact_blocks_marked").description("Blocks marked no-compact (damaged sources)")
                .tag("marker", "no-compact-mark.json").register(registry);
        garbageCollected = Counter.builder("thanos_compact_garbage_collected_blocks").description("Duplicate blocks marked for deletion")
                .register(registry);
        deleted = Counter.builder("thanos_compact_blocks_cleaned").description("Blocks deleted after the delete delay").register(registry);
        partialsCleaned = Counter.builder("thanos_compact_aborted_partial_uploads_deletion_attempts")
                .description("Abandoned partial uploads deleted").register(registry);
        samplesCompacted = Counter.builder("gauntlet_compact_samples").description("Samples written into compacted blocks").register(registry);
        compactionDuration = Timer.builder("thanos_compact_group_compaction_duration").description("Time of one group compaction")
                .register(registry);
        downsampleDuration = Timer.builder("thanos_compact_downsample_duration").description("Time of one downsampling").register(registry);
        Gauge.builder("thanos_compact_halted", halted, AtomicInteger::get).description("Groups halted (overlapping blocks)").register(registry);
    }

    void compacted(Duration took, long samples) {
        compactions.increment();
        compactionDuration.record(took);
        samplesCompacted.increment(samples);
    }

    void compactionFailed() {
        compactionFailures.increment();
    }

    void downsampled(Duration took) {
        downsamples.increment();
        downsampleDuration.record(took);
    }

    void downsampleFailed() {
        downsampleFailures.increment();
    }

    void markedForDeletion(int blocks) {
        marked.increment(blocks);
    }

    void markedNoCompact() {
        markedNoCompact.increment();
    }

    public double markedNoCompactBlocks() {
        return markedNoCompact.count();
    }

    void garbageCollected() {
        garbageCollected.increment();
    }

    void deleted() {
        deleted.increment();
    }

    void partialCleaned() {
        partialsCleaned.increment();
    }

    /** Sets the halted state of every group: those in {@code haltedGroups} 1, every other known group 0. */
    void halted(Set<String> haltedGroups) {
        haltedGroups.forEach(group -> haltedByGroup.computeIfAbsent(group, key -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder("gauntlet_compact_group_halted", value, AtomicInteger::get).tag("group", key)
                    .description("1 while the group is halted by overlapping blocks").register(registry);
            return value;
        }));
        haltedByGroup.forEach((group, value) -> value.set(haltedGroups.contains(group) ? 1 : 0));
        halted.set(haltedGroups.size());
    }

    public double compactions() {
        return compactions.count();
    }

    public double compactionFailures() {
        return compactionFailures.count();
    }

    public double downsamples() {
        return downsamples.count();
    }

    public int haltedGroups() {
        return halted.get();
    }
}
