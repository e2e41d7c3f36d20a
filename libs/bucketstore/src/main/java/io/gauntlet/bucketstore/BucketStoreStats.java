package io.gauntlet.bucketstore;

import io.gauntlet.tsdb.CorruptedDataException.Kind;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of a {@link BucketStore} for the Thanos {@code thanos_bucket_store_*} metrics; thread-safe. */
public final class BucketStoreStats {
    private final AtomicLong blockLoads = new AtomicLong();
    private final AtomicLong blockLoadFailures = new AtomicLong();
    private final AtomicLong blockDrops = new AtomicLong();
    private final AtomicLong seriesTouched = new AtomicLong();
    private final AtomicLong chunksFetched = new AtomicLong();
    private final AtomicLong chunkBytesFetched = new AtomicLong();
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong blocksQueried = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong syncFailures = new AtomicLong();
    private final Map<Kind, AtomicLong> corruptions = new EnumMap<>(Kind.class);
    private final AtomicLong quarantinedBlockSkips = new AtomicLong();

    public BucketStoreStats() {
        for (Kind kind : Kind.values()) {
            corruptions.put(kind, new AtomicLong());
        }
    }

    void blockLoaded() {
        blockLoads.incrementAndGet();
    }

    void blockLoadFailed() {
        blockLoadFailures.incrementAndGet();
    }

    void blockDropped() {
        blockDrops.incrementAndGet();
    }

    void seriesTouched(long count) {
        seriesTouched.addAndGet(count);
    }

    void chunkFetched(long bytes) {
        chunksFetched.incrementAndGet();
        chunkBytesFetched.addAndGet(bytes);
    }

    void queried(int blocks) {
        queries.incrementAndGet();
        blocksQueried.addAndGet(blocks);
    }

    void corrupted(Kind kind) {
        corruptions.get(kind).incrementAndGet();
    }

    void quarantinedBlockSkipped() {
        quarantinedBlockSkips.incrementAndGet();
    }

    void synced(boolean ok) {
        (ok ? syncs : syncFailures).incrementAndGet();
    }

    public long blockLoads() {
        return blockLoads.get();
    }

    public long blockLoadFailures() {
        return blockLoadFailures.get();
    }

    public long blockDrops() {
        return blockDrops.get();
    }

    public long seriesTouched() {
        return seriesTouched.get();
    }

    public long chunksFetched() {
        return chunksFetched.get();
    }

    public long chunkBytesFetched() {
        return chunkBytesFetched.get();
    }

    public long queries() {
        return queries.get();
    }

    public long blocksQueried() {
        return blocksQueried.get();
    }

    public long syncs() {
        return syncs.get();
    }

    public long syncFailures() {
        return syncFailures.get();
    }

    /** Blocks quarantined for confirmed damage of this kind, since start (one per detection, not per query). */
    public long corruptions(Kind kind) {
        return corruptions.get(kind).get();
    }

    /** Times a call would have read a quarantined block and named it in a warning instead. */
    public long quarantinedBlockSkips() {
        return quarantinedBlockSkips.get();
    }
}
