package io.gauntlet.bucketstore;

import io.gauntlet.bucketstore.BucketBlock.SeriesMeta;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.objstore.ObjectNotFoundException;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.ProxySeriesSet;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreLimitExceededException;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every block of a bucket as one StoreAPI {@link ChunkSource} (Thanos' BucketStore): discovers blocks by listing the
 * bucket ({@link #sync()}) or when told of one ({@link #loadBlock(String)}, {@link #dropBlock(String)}), and answers
 * queries by selecting blocks (time, external labels, resolution) and merging their sorted series.
 */
public final class BucketStore implements ChunkSource, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BucketStore.class.getName());
    /** Thanos estimates a chunk's samples as 120 for the samples limit before fetching it. */
    static final long SAMPLES_PER_CHUNK_ESTIMATE = 120;
    private static final long[] RESOLUTIONS = {3_600_000L, 300_000L, 0L}; // coarsest first

    private final Bucket bucket;
    private final BucketStoreConfig config;
    private final IndexCache cache;
    private final BucketStoreStats stats = new BucketStoreStats();
    private final Map<String, BucketBlock> blocks = new ConcurrentHashMap<>();
    private final ReentrantLock loadLock = new ReentrantLock();
    private final ExecutorService loaders;
    private final ExecutorService queries;
    private volatile boolean synced;

    public BucketStore(Bucket bucket, BucketStoreConfig config) {
        this.bucket = bucket;
        this.config = config;
        this.cache = new IndexCache(config.indexCacheBytes());
        this.loaders = Executors.newFixedThreadPool(config.loadConcurrency(), Thread.ofPlatform().daemon().name("block-load-", 0).factory());
        this.queries = Executors.newFixedThreadPool(config.queryConcurrency(), Thread.ofPlatform().daemon().name("block-select-", 0).factory());
        try {
            Files.createDirectories(config.cacheDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create cache directory " + config.cacheDir(), e);
        }
    }

    // ---- discovery ----

    /**
     * Lists the bucket and makes the loaded blocks match it: loads new complete blocks, drops vanished ones, those
     * marked for deletion longer ago than the delay, and those outside the time shard or selector. Blocks that fail
     * to load are logged, counted and skipped (tried again on the next sync).
     *
     * @throws BucketException when the bucket cannot be listed (the loaded blocks stay)
     */
    public void sync() {
        loadLock.lock();
        try {
            // one recursive listing says which blocks have a meta.json and a deletion mark: no GET for an absent
            // mark, no existence check of a cached meta.json (on S3, a few LIST pages instead of a call per block)
            Map<String, BlockFiles> listed = new java.util.TreeMap<>();
            try {
                bucket.iter("", true, name -> {
                    int slash = name.indexOf('/');
                    if (slash <= 0) {
                        return;
                    }
                    String id = name.substring(0, slash);
                    if (!Ulid.isUlid(id)) { // not e.g. debug/
                        return;
                    }
                    String file = name.substring(slash + 1);
                    BlockFiles files = listed.computeIfAbsent(id, k -> new BlockFiles());
                    if (file.equals(BlockMeta.FILE)) {
                        files.meta = true;
                    } else if (file.equals(DeletionMark.FILE)) {
                        files.deletionMark = true;
                    }
                });
            } catch (BucketException e) {
                stats.synced(false);
                throw e;
            }
            List<String> ids = new ArrayList<>();
            for (Map.Entry<String, BlockFiles> entry : listed.entrySet()) {
                if (entry.getValue().meta) { // without meta.json: a partial upload or a block being deleted
                    ids.add(entry.getKey());
                }
            }
            // one or two small GETs per block: on an object store their latency, not CPU, is what a large bucket's sync
            // waits for, so they run concurrently, and each new block starts loading as soon as its meta.json is read
            Set<String> wanted = ConcurrentHashMap.newKeySet();
            List<Future<?>> loads = java.util.Collections.synchronizedList(new ArrayList<>());
            BucketException failure = null;
            boolean interrupted = false;
            int fetchThreads = Math.max(1, Math.min(config.metaFetchConcurrency(), ids.size()));
            try (ExecutorService fetchers = Executors.newFixedThreadPool(fetchThreads, Thread.ofPlatform().daemon().name("meta-fetch-", 0).factory())) {
                List<Future<?>> fetches = new ArrayList<>(ids.size());
                for (String id : ids) {
                    boolean marked = listed.get(id).deletionMark;
                    fetches.add(fetchers.submit(() -> {
                        BlockMeta meta = servableMeta(id, true, marked);
                        if (meta != null) {
                            wanted.add(id);
                            if (!blocks.containsKey(id)) {
                                loads.add(loaders.submit(() -> open(meta)));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> fetch : fetches) {
                    try {
                        fetch.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        fetchers.shutdownNow();
                        break;
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof BucketException bucketFailure) {
                            failure = failure == null ? bucketFailure : failure; // e.g. a deletion mark that cannot be read
                        } else {
                            LOG.log(Level.WARNING, "block meta fetch failed", e.getCause());
                        }
                    }
                }
            }
            if (!interrupted) {
                interrupted = awaitAll(List.copyOf(loads));
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
            if (failure != null) {
                stats.synced(false);
                throw failure; // the blocks loaded before stay; none is dropped on an incomplete view of the bucket
            }
            for (String id : List.copyOf(blocks.keySet())) {
                if (!wanted.contains(id)) {
                    drop(id);
                }
            }
            synced = true;
            stats.synced(true);
        } finally {
            loadLock.unlock();
        }
    }

    /** Waits for the tasks; true when interrupted meanwhile. */
    private static boolean awaitAll(List<Future<?>> tasks) {
        for (Future<?> task : tasks) {
            try {
                task.get();
            } catch (InterruptedException e) {
                return true;
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.log(Level.WARNING, "block load task failed", e.getCause());
            }
        }
        return false;
    }

    /** Loads one block now (e.g. on a block.uploaded event); true when it is served afterwards. */
    public boolean loadBlock(String id) {
        if (!Ulid.isUlid(id)) {
            return false;
        }
        loadLock.lock();
        try {
            if (blocks.containsKey(id)) {
                return true;
            }
            BlockMeta meta = servableMeta(id, false, false);
            return meta != null && open(meta);
        } catch (BucketException e) {
            LOG.log(Level.WARNING, "cannot load block " + id + ": " + e.getMessage());
            return false;
        } finally {
            loadLock.unlock();
        }
    }

    /** Stops serving a block (e.g. on a block.deleted event) and removes its local files. */
    public void dropBlock(String id) {
        loadLock.lock();
        try {
            drop(id);
        } finally {
            loadLock.unlock();
        }
    }

    /** True once the first sync finished. */
    public boolean synced() {
        return synced;
    }

    /** What a listing showed of one block's objects. */
    private static final class BlockFiles {
        boolean meta;
        boolean deletionMark;
    }

    /**
     * The meta of a block that should be served, or null (partial, deleted, marked, filtered, unreadable meta).
     * {@code listed}: a listing just showed its meta.json, and {@code marked} says whether it showed a deletion mark;
     * otherwise (a block just announced as uploaded) both are looked up, except the mark, which the next sync reads.
     */
    private BlockMeta servableMeta(String id, boolean listed, boolean marked) {
        BlockMeta meta;
        try {
            meta = readMeta(id, listed);
        } catch (ObjectNotFoundException e) {
            return null; // partial upload or deleted: no meta.json
        } catch (StorageException | IOException | RuntimeException e) {
            stats.blockLoadFailed();
            LOG.warning("skipping block " + id + ": unreadable meta.json: " + e.getMessage());
            return null;
        }
        if (marked && markedForDeletionLongAgo(id)) {
            return null;
        }
        long now = System.currentTimeMillis();
        long min = config.minTime().resolve(now);
        long max = config.maxTime().resolve(now);
        if (meta.maxTime() <= min || meta.minTime() > max) {
            return null;
        }
        Labels labels = meta.thanos() == null ? Labels.EMPTY : Labels.fromMap(meta.thanos().labels());
        for (LabelMatcher matcher : config.selector()) {
            String value = labels.get(matcher.name());
            if (!matcher.matches(value == null ? "" : value)) {
                return null;
            }
        }
        return meta;
    }

    private BlockMeta readMeta(String id, boolean listed) throws IOException, StorageException {
        Path local = config.cacheDir().resolve(id).resolve(BlockMeta.FILE);
        if (Files.exists(local)) {
            if (!listed && !bucket.exists(id + "/" + BlockMeta.FILE)) {
                throw new ObjectNotFoundException(bucket.name(), id + "/" + BlockMeta.FILE); // deleted: meta.json goes first
            }
            return BlockMeta.parse(Files.readAllBytes(local), id);
        }
        byte[] json;
        try (InputStream in = bucket.get(id + "/" + BlockMeta.FILE)) {
            json = in.readAllBytes();
        }
        BlockMeta meta = BlockMeta.parse(json, id);
        if (!meta.ulid().toString().equals(id)) {
            throw new StorageException("meta.json of block " + id + " names block " + meta.ulid());
        }
        Files.createDirectories(local.getParent());
        Path temp = local.resolveSibling(BlockMeta.FILE + ".tmp");
        Files.write(temp, json);
        Files.move(temp, local, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return meta;
    }

    private boolean markedForDeletionLongAgo(String id) {
        byte[] json;
        try (InputStream in = bucket.get(id + "/" + DeletionMark.FILE)) {
            json = in.readAllBytes();
        } catch (ObjectNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new BucketException("reading the deletion mark of " + id + ": " + e.getMessage(), e);
        }
        try {
            DeletionMark mark = DeletionMark.parse(json, id);
            return mark.deletionTime() * 1000 + config.ignoreDeletionMarksDelay().toMillis() < System.currentTimeMillis();
        } catch (StorageException e) {
            LOG.warning("block " + id + " has an unreadable deletion mark, still serving it: " + e.getMessage());
            return false;
        }
    }

    private boolean open(BlockMeta meta) {
        String id = meta.ulid().toString();
        try {
            BucketBlock block = BucketBlock.open(bucket, meta, config.cacheDir(), cache);
            BucketBlock previous = blocks.put(id, block);
            if (previous != null) {
                previous.close();
            }
            stats.blockLoaded();
            LOG.info("loaded " + block);
            return true;
        } catch (IOException | StorageException | RuntimeException e) {
            stats.blockLoadFailed();
            LOG.warning("skipping block " + id + ": cannot load it: " + e.getMessage());
            deleteLocal(id);
            return false;
        }
    }

    private void drop(String id) {
        BucketBlock block = blocks.remove(id);
        if (block != null) {
            block.close();
            stats.blockDropped();
            LOG.info("dropped block " + id);
        }
        deleteLocal(id);
    }

    private void deleteLocal(String id) {
        Path dir = config.cacheDir().resolve(id);
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (java.nio.file.NoSuchFileException e) {
            // nothing cached
        } catch (IOException e) {
            LOG.warning("cannot remove the local files of block " + id + ": " + e.getMessage());
        }
    }

    // ---- serving ----

    @Override
    public SourceInfo info() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        TreeSet<Labels> labelSets = new TreeSet<>();
        for (BucketBlock block : blocks.values()) {
            min = Math.min(min, block.minTime());
            max = Math.max(max, block.maxTime());
            labelSets.add(block.externalLabels());
        }
        if (!blocks.isEmpty()) {
            long now = System.currentTimeMillis();
            min = Math.max(min, config.minTime().resolve(now));
            max = Math.min(max, config.maxTime().resolve(now));
        }
        return new SourceInfo("store", Labels.EMPTY, List.copyOf(labelSets), min, max);
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        Map<BucketBlock, List<LabelMatcher>> selected = select(query.minTime(), query.maxTime(), query.matchers(), query.maxResolutionWindow());
        stats.queried(selected.size());
        AtomicLong seriesCount = new AtomicLong();
        AtomicLong chunkCount = new AtomicLong();
        List<StoreSeriesSet> sets = new ArrayList<>(selected.size());
        for (Map.Entry<BucketBlock, List<LabelMatcher>> entry : selected.entrySet()) {
            BucketBlock block = entry.getKey();
            if (!block.acquire()) {
                continue; // dropped since it was selected
            }
            List<LabelMatcher> matchers = entry.getValue();
            CompletableFuture<List<SeriesMeta>> prepared = CompletableFuture.supplyAsync(() -> {
                try {
                    List<SeriesMeta> series = block.series(block.postings(matchers), query.minTime(), query.maxTime());
                    checkLimits(series, seriesCount, chunkCount);
                    return series;
                } catch (StorageException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, queries);
            sets.add(StoreSeriesSet.of(new BlockSeriesSet(block, prepared, query.skipChunks(), query.aggregates(), stats), block.id()));
        }
        if (sets.size() == 1) {
            return sets.getFirst();
        }
        return new ProxySeriesSet(sets, PartialResponse.ABORT);
    }

    private void checkLimits(List<SeriesMeta> series, AtomicLong seriesCount, AtomicLong chunkCount) throws StoreLimitExceededException {
        long maxSeries = config.limits().maxSeries();
        long totalSeries = seriesCount.addAndGet(series.size());
        if (maxSeries > 0 && totalSeries > maxSeries) {
            throw new StoreLimitExceededException("exceeded series limit: limit " + maxSeries + " violated (got " + totalSeries
                    + "); raise store.limits.request-series or narrow the query");
        }
        long maxSamples = config.limits().maxSamples();
        if (maxSamples > 0) {
            long chunks = 0;
            for (SeriesMeta meta : series) {
                chunks += meta.chunkCount();
            }
            long estimate = chunkCount.addAndGet(chunks) * SAMPLES_PER_CHUNK_ESTIMATE;
            if (estimate > maxSamples) {
                throw new StoreLimitExceededException("exceeded samples limit: limit " + maxSamples + " violated (got about " + estimate
                        + " = chunks x " + SAMPLES_PER_CHUNK_ESTIMATE + "); raise store.limits.request-samples or narrow the query");
            }
        }
    }

    @Override
    public List<String> labelNames(LabelQuery query) throws StorageException {
        TreeSet<String> names = new TreeSet<>(Labels::compareStrings);
        for (Map.Entry<BucketBlock, List<LabelMatcher>> entry : select(query.start(), query.end(), query.matchers(), 0).entrySet()) {
            BucketBlock block = entry.getKey();
            if (block.acquire()) {
                try {
                    names.addAll(block.labelNames(entry.getValue(), query.start(), query.end()));
                } finally {
                    block.release();
                }
            }
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
        for (Map.Entry<BucketBlock, List<LabelMatcher>> entry : select(query.start(), query.end(), query.matchers(), 0).entrySet()) {
            BucketBlock block = entry.getKey();
            if (block.acquire()) {
                try {
                    values.addAll(block.labelValues(name, entry.getValue(), query.start(), query.end()));
                } finally {
                    block.release();
                }
            }
        }
        return List.copyOf(values);
    }

    /**
     * The blocks to read for a query, each with the matchers left after its external labels answered theirs: blocks
     * overlapping {@code [minTime, maxTime]}, grouped by external labels, at the coarsest resolution not above
     * {@code maxResolutionWindow} with gaps filled by finer blocks (Thanos' bucketBlockSet.getFor).
     */
    Map<BucketBlock, List<LabelMatcher>> select(long minTime, long maxTime, List<LabelMatcher> matchers, long maxResolutionWindow) {
        Map<Labels, List<BucketBlock>> groups = new LinkedHashMap<>();
        Map<BucketBlock, List<LabelMatcher>> remaining = new LinkedHashMap<>();
        List<BucketBlock> sorted = new ArrayList<>(blocks.values());
        sorted.sort(Comparator.comparingLong(BucketBlock::minTime).thenComparing(BucketBlock::id));
        for (BucketBlock block : sorted) {
            if (!block.overlaps(minTime, maxTime)) {
                continue;
            }
            List<LabelMatcher> left = indexMatchers(block.externalLabels(), matchers);
            if (left == null) {
                continue;
            }
            remaining.put(block, left);
            groups.computeIfAbsent(block.externalLabels(), k -> new ArrayList<>()).add(block);
        }
        Map<BucketBlock, List<LabelMatcher>> out = new LinkedHashMap<>();
        for (List<BucketBlock> group : groups.values()) {
            int level = 0;
            while (level < RESOLUTIONS.length - 1 && RESOLUTIONS[level] > maxResolutionWindow) {
                level++;
            }
            for (BucketBlock block : fill(group, minTime, maxTime, level)) {
                out.put(block, remaining.get(block));
            }
        }
        return out;
    }

    private static List<BucketBlock> fill(List<BucketBlock> group, long minTime, long maxTime, int level) {
        List<BucketBlock> out = new ArrayList<>();
        if (minTime > maxTime) {
            return out; // no gap left to fill
        }
        long start = minTime;
        for (BucketBlock block : group) {
            if (block.resolution() != RESOLUTIONS[level] || block.maxTime() <= minTime) {
                continue;
            }
            if (block.minTime() > maxTime) {
                break;
            }
            if (level + 1 < RESOLUTIONS.length) {
                out.addAll(fill(group, start, block.minTime() - 1, level + 1));
            }
            out.add(block);
            start = block.maxTime();
        }
        if (level + 1 < RESOLUTIONS.length) {
            out.addAll(fill(group, start, maxTime, level + 1));
        }
        return out;
    }

    /** Matchers for a block's index, the ones on its external labels answered; null when one of those fails. */
    private static List<LabelMatcher> indexMatchers(Labels external, List<LabelMatcher> matchers) {
        List<LabelMatcher> left = new ArrayList<>(matchers.size());
        for (LabelMatcher matcher : matchers) {
            if (external.has(matcher.name())) {
                if (!matcher.matches(external.get(matcher.name()))) {
                    return null;
                }
            } else {
                left.add(matcher);
            }
        }
        return left;
    }

    // ---- state ----

    public int blocksLoaded() {
        return blocks.size();
    }

    public Set<String> loadedBlockIds() {
        return Set.copyOf(blocks.keySet());
    }

    public BucketStoreStats stats() {
        return stats;
    }

    public IndexCache indexCache() {
        return cache;
    }

    @Override
    public void close() {
        loaders.shutdownNow();
        queries.shutdownNow();
        for (String id : List.copyOf(blocks.keySet())) {
            BucketBlock block = blocks.remove(id);
            if (block != null) {
                block.close();
            }
        }
    }
}
