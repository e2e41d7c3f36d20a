package io.gauntlet.bucketstore;

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
}
