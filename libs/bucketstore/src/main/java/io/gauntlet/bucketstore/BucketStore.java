package io.gauntlet.bucketstore;

import io.gauntlet.bucketstore.BucketBlock.SeriesMeta;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.objstore.ObjectAttributes;
import io.gauntlet.objstore.ObjectNotFoundException;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.ProxySeriesSet;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreLimitExceededException;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.CorruptedDataException;
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
    // blocks with confirmed damage: read by no call until re-uploaded, announced again, or the store restarts
    private final Map<String, QuarantinedBlock> quarantined = new ConcurrentHashMap<>();
    // meta.json attributes of quarantined blocks as a sync first saw them: a change means the block was uploaded again
    private final Map<String, ObjectAttributes> quarantinedMetas = new ConcurrentHashMap<>();
    private final ReentrantLock loadLock = new ReentrantLock();
    private final ExecutorService loaders;
    private final ExecutorService queries;
    private volatile boolean synced;

    public BucketStore(Bucket bucket, BucketStoreConfig config) {
        this.bucket = bucket;
        this.config = config;
        this.cache = new IndexCache(IndexCache.boundedByHeap(config.indexCacheBytes(), Runtime.getRuntime().maxMemory()));
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
            Map<String, BlockMeta> servable = new ConcurrentHashMap<>();
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
                        if (meta != null && quarantined.containsKey(id)) {
                            if (!uploadedAgain(id)) {
                                wanted.add(id);
                                return null;
                            }
                            meta = servableMeta(id, true, marked); // the new upload's meta.json
                        }
                        if (meta != null) {
                            wanted.add(id);
                            servable.put(id, meta);
                            if (!blocks.containsKey(id)) {
                                BlockMeta load = meta;
                                loads.add(loaders.submit(() -> open(load)));
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
            // e.g. the sources of a compaction not deleted yet: reading them too would only fetch the same data twice
            wanted.removeAll(DuplicateBlocks.covered(servable.values()));
            for (String id : List.copyOf(blocks.keySet())) {
                if (!wanted.contains(id)) {
                    drop(id);
                }
            }
            quarantined.keySet().retainAll(wanted); // deleted, marked long ago, or out of the shard: no longer ours to report
            quarantinedMetas.keySet().retainAll(quarantined.keySet());
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
            QuarantinedBlock bad = quarantined.remove(id);
            if (bad != null) {
                quarantinedMetas.remove(id);
                deleteLocal(id); // built again from what the bucket holds now
                LOG.info("block " + id + " announced again: re-checking it after its quarantine (" + bad.message() + ")");
            }
            if (blocks.containsKey(id)) {
                return true;
            }
            BlockMeta meta = servableMeta(id, false, false);
            if (meta == null || !open(meta)) {
                return false;
            }
            List<BlockMeta> loaded = new ArrayList<>();
            for (BucketBlock block : blocks.values()) {
                loaded.add(block.meta());
            }
            Set<String> covered = DuplicateBlocks.covered(loaded);
            covered.forEach(this::drop); // a compaction's sources once it is announced, or this block if one covers it
            return !covered.contains(id);
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
            BucketBlock block;
            try {
                block = BucketBlock.open(bucket, meta, config.cacheDir(), cache);
            } catch (CorruptedDataException first) {
                deleteLocal(id); // damage counts once it is found twice in what the bucket holds
                block = BucketBlock.open(bucket, meta, config.cacheDir(), cache);
            }
            if (quarantined.containsKey(id)) {
                block.close(); // quarantined by a query meanwhile
                return false;
            }
            BucketBlock previous = blocks.put(id, block);
            if (previous != null) {
                previous.close();
            }
            stats.blockLoaded();
            LOG.info("loaded " + block);
            return true;
        } catch (CorruptedDataException e) {
            stats.blockLoadFailed();
            deleteLocal(id);
            quarantine(meta, null, e);
            return false;
        } catch (IOException | StorageException | RuntimeException e) {
            stats.blockLoadFailed();
            LOG.warning("skipping block " + id + ": cannot load it: " + e.getMessage());
            deleteLocal(id);
            return false;
        }
    }

    /** Whether a quarantined block's meta.json changed since a sync first looked at it: it was uploaded again. */
    private boolean uploadedAgain(String id) {
        ObjectAttributes now;
        try {
            now = bucket.attributes(id + "/" + BlockMeta.FILE);
        } catch (BucketException e) {
            return false; // the next sync looks again
        }
        ObjectAttributes before = quarantinedMetas.putIfAbsent(id, now);
        if (before == null || before.equals(now)) {
            return false;
        }
        if (quarantined.remove(id) != null) {
            LOG.info("block " + id + " was uploaded again: re-checking it after its quarantine");
        }
        quarantinedMetas.remove(id);
        deleteLocal(id);
        return true;
    }

    /**
     * Takes a block out of service after confirmed damage (idempotent: the first report wins): one ERROR line, one
     * count by kind; the block's files stay mapped until running readers let go.
     *
     * @param served the instance that failed, removed if it is still the one served; null when it failed to load
     */
    QuarantinedBlock quarantine(BlockMeta meta, BucketBlock served, CorruptedDataException corruption) {
        String id = meta.ulid().toString();
        QuarantinedBlock entry = QuarantinedBlock.of(meta, corruption, java.time.Instant.now());
        QuarantinedBlock previous = quarantined.putIfAbsent(id, entry);
        if (previous != null) {
            return previous;
        }
        if (served != null && blocks.remove(id, served)) {
            served.close();
        }
        stats.corrupted(corruption.kind());
        LOG.severe("quarantined block " + id + " cause=" + corruption.kind().label() + " file=" + corruption.file() + " offset="
                + corruption.offset() + ": " + corruption.getMessage() + "; no query reads it until it is uploaded again, an event"
                + " names it or the store restarts");
        return entry;
    }

    @Override
    public List<io.gauntlet.store.CorruptedBlock> corruptedBlocks() {
        List<io.gauntlet.store.CorruptedBlock> out = new ArrayList<>();
        for (QuarantinedBlock block : quarantinedBlocks()) {
            out.add(new io.gauntlet.store.CorruptedBlock(block.id(), block.file(), block.offset(), block.kind().label(), block.message(),
                    block.minTime(), block.maxTime(), block.since().toEpochMilli()));
        }
        return out;
    }

    /** Blocks left out of every answer because of confirmed damage. */
    public List<QuarantinedBlock> quarantinedBlocks() {
        List<QuarantinedBlock> out = new ArrayList<>(quarantined.values());
        out.sort(Comparator.comparing(QuarantinedBlock::id));
        return out;
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
        // quarantined blocks count: a query over their range must still reach this store to be told what it lacks
        List<BlockSpan> spans = new ArrayList<>(blocks.values());
        spans.addAll(quarantined.values());
        for (BlockSpan block : spans) {
            min = Math.min(min, block.minTime());
            max = Math.max(max, block.maxTime());
            labelSets.add(block.externalLabels());
        }
        if (!spans.isEmpty()) {
            long now = System.currentTimeMillis();
            min = Math.max(min, config.minTime().resolve(now));
            max = Math.min(max, config.maxTime().resolve(now));
        }
        return new SourceInfo("store", Labels.EMPTY, List.copyOf(labelSets), min, max);
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        Selection selected = selection(query.minTime(), query.maxTime(), query.matchers(), query.maxResolutionWindow());
        stats.queried(selected.blocks().size());
        AtomicLong seriesCount = new AtomicLong();
        AtomicLong chunkCount = new AtomicLong();
        List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>(selected.warnings()));
        List<StoreSeriesSet> sets = new ArrayList<>(selected.blocks().size());
        for (Map.Entry<BucketBlock, List<LabelMatcher>> entry : selected.blocks().entrySet()) {
            BucketBlock block = entry.getKey();
            if (!block.acquire()) {
                continue; // dropped since it was selected
            }
            List<LabelMatcher> matchers = entry.getValue();
            CompletableFuture<List<SeriesMeta>> prepared = CompletableFuture.supplyAsync(() -> {
                try {
                    List<SeriesMeta> series = block.verified(() -> block.series(block.postings(matchers), query.minTime(), query.maxTime()));
                    checkLimits(series, seriesCount, chunkCount);
                    return series;
                } catch (StorageException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, queries);
            BlockSeriesSet set = new BlockSeriesSet(block, prepared, query.skipChunks(), query.aggregates(), stats);
            sets.add(new IsolatedBlockSeriesSet(set, block.id(), corruption -> warnings.add(quarantine(block.meta(), block, corruption).warning())));
        }
        StoreSeriesSet merged = sets.size() == 1 ? sets.getFirst() : new ProxySeriesSet(sets, PartialResponse.ABORT);
        return new WarningSeriesSet(merged, warnings);
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
        return labelNamesAnswer(query).values();
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        return labelValuesAnswer(name, query).values();
    }

    @Override
    public LabelAnswer labelNamesAnswer(LabelQuery query) throws StorageException {
        return labelAnswer(query, (block, matchers) -> block.labelNames(matchers, query.start(), query.end()));
    }

    @Override
    public LabelAnswer labelValuesAnswer(String name, LabelQuery query) throws StorageException {
        return labelAnswer(query, (block, matchers) -> block.labelValues(name, matchers, query.start(), query.end()));
    }

    private interface LabelRead {
        java.util.Collection<String> read(BucketBlock block, List<LabelMatcher> matchers) throws StorageException;
    }

    /** The union over the selected blocks; a block found damaged is quarantined and named in a warning instead. */
    private LabelAnswer labelAnswer(LabelQuery query, LabelRead read) throws StorageException {
        Selection selected = selection(query.start(), query.end(), query.matchers(), 0);
        TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
        List<String> warnings = new ArrayList<>(selected.warnings());
        for (Map.Entry<BucketBlock, List<LabelMatcher>> entry : selected.blocks().entrySet()) {
            BucketBlock block = entry.getKey();
            if (block.acquire()) {
                try {
                    values.addAll(block.verified(() -> read.read(block, entry.getValue())));
                } catch (CorruptedDataException e) {
                    warnings.add(quarantine(block.meta(), block, e).warning());
                } finally {
                    block.release();
                }
            }
        }
        return new LabelAnswer(List.copyOf(values), warnings);
    }

    /** What a query reads: loaded blocks with their remaining matchers, and the warnings for quarantined blocks it needed. */
    record Selection(Map<BucketBlock, List<LabelMatcher>> blocks, List<String> warnings) {
    }

    /**
     * {@link #select} with the quarantined blocks taking part as they would have: one the query would have read is not
     * read, it is named in a warning (and counted).
     */
    Selection selection(long minTime, long maxTime, List<LabelMatcher> matchers, long maxResolutionWindow) {
        Map<BlockSpan, List<LabelMatcher>> chosen = choose(minTime, maxTime, matchers, maxResolutionWindow);
        Map<BucketBlock, List<LabelMatcher>> read = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<BlockSpan, List<LabelMatcher>> entry : chosen.entrySet()) {
            if (entry.getKey() instanceof BucketBlock block) {
                read.put(block, entry.getValue());
            } else if (entry.getKey() instanceof QuarantinedBlock bad) {
                warnings.add(bad.warning());
                stats.quarantinedBlockSkipped();
            }
        }
        return new Selection(read, warnings);
    }

    /**
     * The blocks to read for a query, each with the matchers left after its external labels answered theirs: blocks
     * overlapping {@code [minTime, maxTime]}, grouped by external labels, at the coarsest resolution not above
     * {@code maxResolutionWindow} with gaps filled by finer blocks (Thanos' bucketBlockSet.getFor).
     */
    Map<BucketBlock, List<LabelMatcher>> select(long minTime, long maxTime, List<LabelMatcher> matchers, long maxResolutionWindow) {
        return selection(minTime, maxTime, matchers, maxResolutionWindow).blocks();
    }

    /** {@link #select} over the loaded and the quarantined blocks alike. */
    private Map<BlockSpan, List<LabelMatcher>> choose(long minTime, long maxTime, List<LabelMatcher> matchers, long maxResolutionWindow) {
        Map<Labels, List<BlockSpan>> groups = new LinkedHashMap<>();
        Map<BlockSpan, List<LabelMatcher>> remaining = new java.util.HashMap<>();
        List<BlockSpan> sorted = new ArrayList<>(blocks.size() + quarantined.size());
        sorted.addAll(blocks.values());
        sorted.addAll(quarantined.values());
        sorted.sort(Comparator.comparingLong(BlockSpan::minTime).thenComparing(BlockSpan::id));
        for (BlockSpan block : sorted) {
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
        Map<BlockSpan, List<LabelMatcher>> out = new LinkedHashMap<>();
        for (List<BlockSpan> group : groups.values()) {
            int level = 0;
            while (level < RESOLUTIONS.length - 1 && RESOLUTIONS[level] > maxResolutionWindow) {
                level++;
            }
            for (BlockSpan block : fill(group, minTime, maxTime, level)) {
                out.put(block, remaining.get(block));
            }
        }
        return out;
    }

    private static List<BlockSpan> fill(List<BlockSpan> group, long minTime, long maxTime, int level) {
        List<BlockSpan> out = new ArrayList<>();
        if (minTime > maxTime) {
            return out; // no gap left to fill
        }
        long start = minTime;
        for (BlockSpan block : group) {
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
