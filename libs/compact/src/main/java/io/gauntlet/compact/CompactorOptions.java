package io.gauntlet.compact;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What the compactor does and when (Thanos flag names in brackets).
 *
 * @param scratch              local working directory for downloads and new blocks ({@code data-dir})
 * @param ranges               compaction ranges ({@code compact.block-ranges}, default 2h, 8h, 2d, 14d)
 * @param replicaLabels        labels dropped when grouping, so HA replicas are vertically compacted
 *                             ({@code deduplication.replica-label})
 * @param deduplication        how overlapping blocks merge ({@code deduplication.func}); NONE halts the group
 * @param consistencyDelay     how long a block without an event must exist before it is used ({@code consistency-delay})
 * @param deleteDelay          time between the deletion mark and the deletion ({@code delete-delay})
 * @param partialUploadAge     partial uploads older than this are deleted (Thanos: 2 days)
 * @param retentionRaw         retention of raw blocks, zero = forever ({@code retention.resolution-raw})
 * @param retention5m          retention of 5m blocks ({@code retention.resolution-5m})
 * @param retention1h          retention of 1h blocks ({@code retention.resolution-1h})
 * @param downsampling         whether to downsample ({@code !downsampling.disable})
 * @param producer             the producer (CloudEvents source) of the events this compactor publishes
 */
public record CompactorOptions(Path scratch, List<Long> ranges, List<String> replicaLabels, Deduplication deduplication, Duration consistencyDelay,
                               Duration deleteDelay, Duration partialUploadAge, Duration retentionRaw, Duration retention5m, Duration retention1h,
                               boolean downsampling, String producer) {
    public CompactorOptions {
        Objects.requireNonNull(scratch, "scratch");
        ranges = List.copyOf(ranges);
        replicaLabels = List.copyOf(replicaLabels);
        Objects.requireNonNull(deduplication, "deduplication");
        for (Duration duration : List.of(consistencyDelay, deleteDelay, partialUploadAge, retentionRaw, retention5m, retention1h)) {
            if (duration.isNegative()) {
                throw new IllegalArgumentException("compactor durations must not be negative, got " + duration);
            }
        }
        Objects.requireNonNull(producer, "producer");
    }

    /** Thanos' defaults; deduplication is chain merge once replica labels are given. */
    public static CompactorOptions defaults(Path scratch) {
        return new CompactorOptions(scratch, CompactionPlanner.DEFAULT_RANGES, List.of(), Deduplication.NONE, Duration.ofMinutes(30),
                Duration.ofHours(48), Duration.ofDays(2), Duration.ZERO, Duration.ZERO, Duration.ZERO, true, "gauntlet/compactor");
    }

    /** Other compaction ranges, smallest first (a soak with minutes-long Prometheus blocks scales them down). */
    public CompactorOptions withRanges(List<Long> newRanges) {
        new CompactionPlanner(newRanges); // the planner's own checks: two or more, positive, increasing
        return new CompactorOptions(scratch, newRanges, replicaLabels, deduplication, consistencyDelay, deleteDelay, partialUploadAge, retentionRaw,
                retention5m, retention1h, downsampling, producer);
    }

    public CompactorOptions withReplicaLabels(List<String> labels, Deduplication newDeduplication) {
        return new CompactorOptions(scratch, ranges, labels, newDeduplication, consistencyDelay, deleteDelay, partialUploadAge, retentionRaw,
                retention5m, retention1h, downsampling, producer);
    }

    public CompactorOptions withDelays(Duration newConsistencyDelay, Duration newDeleteDelay) {
        return new CompactorOptions(scratch, ranges, replicaLabels, deduplication, newConsistencyDelay, newDeleteDelay, partialUploadAge,
                retentionRaw, retention5m, retention1h, downsampling, producer);
    }

    public CompactorOptions withRetention(Duration raw, Duration fiveMinutes, Duration oneHour) {
        return new CompactorOptions(scratch, ranges, replicaLabels, deduplication, consistencyDelay, deleteDelay, partialUploadAge, raw,
                fiveMinutes, oneHour, downsampling, producer);
    }

    public CompactorOptions withDownsampling(boolean enabled) {
        return new CompactorOptions(scratch, ranges, replicaLabels, deduplication, consistencyDelay, deleteDelay, partialUploadAge, retentionRaw,
                retention5m, retention1h, enabled, producer);
    }

    public CompactorOptions withProducer(String newProducer) {
        return new CompactorOptions(scratch, ranges, replicaLabels, deduplication, consistencyDelay, deleteDelay, partialUploadAge, retentionRaw,
                retention5m, retention1h, downsampling, newProducer);
    }

    /** Retention for a resolution; zero means forever. */
    public Duration retention(long resolution) {
        if (resolution == 300_000L) {
            return retention5m;
        }
        return resolution == 3_600_000L ? retention1h : retentionRaw;
    }
}
