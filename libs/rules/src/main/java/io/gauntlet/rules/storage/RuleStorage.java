package io.gauntlet.rules.storage;

import io.gauntlet.rules.SampleAppender;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.block.UnsortedBlockWriter;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.Series;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The ruler's own TSDB: an in-memory head made durable by a write-ahead log (every committed batch is written to it
 * before it is visible, so a SIGKILL loses no recorded sample), cut into 2h blocks written with libs/tsdb (atomic rename, the
 * Thanos section with the ruler's external labels) once the head spans 1.5 block ranges, as Prometheus does. Samples a
 * block already holds are skipped when the log is replayed, so a crash between a block and the log checkpoint
 * duplicates nothing. Serves the data to PromQL ({@link Queryable}) and to the StoreAPI ({@link ChunkSource}).
 */
public final class RuleStorage implements Queryable, ChunkSource, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RuleStorage.class.getName());
    public static final long DEFAULT_BLOCK_RANGE = 2 * 3600_000L;
    private static final int SAMPLES_PER_CHUNK = 120;

    private final Path directory;
    private final Labels externalLabels;
    private final long blockRange;
    private final long retentionMillis;
    private final WriteAheadLog wal;
    private final Map<Labels, HeadSeries> head = new HashMap<>();
    private final Map<Integer, HeadSeries> byRef = new HashMap<>();
    private final TreeMap<Long, BlockReader> blocks = new TreeMap<>();
    private int nextRef = 1;
    private long minValidTime = Long.MIN_VALUE;
    private long headMin = Long.MAX_VALUE;
    private long headMax = Long.MIN_VALUE;
    private long samplesAppended;

    private static final class HeadSeries {
        final int ref;
        final Labels labels;
        long[] t = new long[16];
        double[] v = new double[16];
        int n;

        HeadSeries(int ref, Labels labels) {
            this.ref = ref;
            this.labels = labels;
        }

        long last() {
            return n == 0 ? Long.MIN_VALUE : t[n - 1];
        }

        void add(long timestamp, double value) {
            if (n == t.length) {
                t = java.util.Arrays.copyOf(t, n * 2);
                v = java.util.Arrays.copyOf(v, n * 2);
            }
            t[n] = timestamp;
            v[n] = value;
            n++;
        }

        void dropBefore(long time) {
            int keep = 0;
            while (keep < n && t[keep] < time) {
                keep++;
            }
            System.arraycopy(t, keep, t, 0, n - keep);
            System.arraycopy(v, keep, v, 0, n - keep);
            n -= keep;
        }
    }

    private RuleStorage(Path directory, Labels externalLabels, long blockRange, long retentionMillis) throws IOException {
        this.directory = directory;
        this.externalLabels = externalLabels;
        this.blockRange = blockRange;
        this.retentionMillis = retentionMillis;
        Files.createDirectories(directory);
        loadBlocks();
        this.wal = new WriteAheadLog(directory.resolve("wal"));
        replay();
    }

    /**
     * Opens (or creates) the storage in {@code directory}: loads its blocks, replays the log.
     *
     * @param retentionMillis local blocks that ended longer ago are deleted (they are in the bucket); 0 keeps all
     */
    public static RuleStorage open(Path directory, Labels externalLabels, long blockRange, long retentionMillis) throws IOException {
        return new RuleStorage(directory, externalLabels, blockRange, retentionMillis);
    }

    public Path directory() {
        return directory;
    }

    private void loadBlocks() throws IOException {
        try (Stream<Path> list = Files.list(directory)) {
            for (Path path : list.toList()) {
                String name = path.getFileName().toString();
                if (name.endsWith(BlockWriter.TEMPORARY_SUFFIX)) {
                    deleteRecursively(path); // a block cut that a crash interrupted: its samples are still in the log
                    continue;
                }
                if (!Files.isDirectory(path) || !isUlid(name) || !Files.exists(path.resolve("meta.json"))) {
                    continue;
                }
                try {
                    BlockReader reader = BlockReader.open(path);
                    blocks.put(reader.maxTime() * 1000 + blocks.size(), reader);
                    minValidTime = Math.max(minValidTime, reader.maxTime());
                } catch (StorageException e) {
                    throw new IOException("cannot open block " + path + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private static boolean isUlid(String name) {
        try {
            Ulid.parse(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void replay() throws IOException {
        long[] replayed = {0, 0};
        wal.replay(new WriteAheadLog.Visitor() {
            @Override
            public void series(int ref, Labels labels) {
                HeadSeries series = head.computeIfAbsent(labels, l -> new HeadSeries(ref, l));
                byRef.put(ref, series);
                nextRef = Math.max(nextRef, ref + 1);
            }

            @Override
            public void sample(int ref, long t, double v) {
                HeadSeries series = byRef.get(ref);
                if (series == null || t < minValidTime || t <= series.last()) {
                    replayed[1]++;
                    return;
                }
                series.add(t, v);
                headMin = Math.min(headMin, t);
                headMax = Math.max(headMax, t);
                replayed[0]++;
            }
        });
        if (replayed[0] + replayed[1] > 0) {
            LOG.log(System.Logger.Level.INFO, "replayed {0} samples from the write-ahead log ({1} already in blocks or duplicates)",
                    replayed[0], replayed[1]);
        }
    }

    /** A batch of appends, written to the log and made visible by {@link SampleAppender#commit()}. */
    public SampleAppender appender() {
        return new Batch();
    }

    private final class Batch implements SampleAppender {
        private final List<Labels> labels = new ArrayList<>();
        private final List<long[]> samples = new ArrayList<>();
        private final Map<Labels, Long> lastInBatch = new HashMap<>();

        @Override
        public boolean append(Labels series, long timestamp, double value) {
            synchronized (RuleStorage.this) {
                if (timestamp < minValidTime) {
                    return false;
                }
                Long pending = lastInBatch.get(series);
                HeadSeries existing = head.get(series);
                long last = pending != null ? pending : existing == null ? Long.MIN_VALUE : existing.last();
                if (timestamp <= last) {
                    return false;
                }
            }
            lastInBatch.put(series, timestamp);
            labels.add(series);
            samples.add(new long[] {timestamp, Double.doubleToRawLongBits(value)});
            return true;
        }

        @Override
        public void commit() throws IOException {
            if (labels.isEmpty()) {
                return;
            }
            synchronized (RuleStorage.this) {
                List<HeadSeries> created = new ArrayList<>();
                int[] refs = new int[labels.size()];
                for (int i = 0; i < labels.size(); i++) {
                    HeadSeries series = head.get(labels.get(i));
                    if (series == null) {
                        series = new HeadSeries(nextRef++, labels.get(i));
                        created.add(series);
                        head.put(series.labels, series);
                        byRef.put(series.ref, series);
                    }
                    refs[i] = series.ref;
                }
                List<WriteAheadLog.SeriesRecord> newSeries = created.stream().map(s -> new WriteAheadLog.SeriesRecord(s.ref, s.labels)).toList();
                long[] times = new long[labels.size()];
                long[] bits = new long[labels.size()];
                for (int i = 0; i < labels.size(); i++) {
                    times[i] = samples.get(i)[0];
                    bits[i] = samples.get(i)[1];
                }
                try {
                    wal.append(newSeries, refs, times, bits);
                } catch (IOException e) {
                    for (HeadSeries series : created) {
                        head.remove(series.labels);
                        byRef.remove(series.ref);
                    }
                    throw e;
                }
                for (int i = 0; i < refs.length; i++) {
                    HeadSeries series = byRef.get(refs[i]);
                    if (times[i] > series.last()) {
                        series.add(times[i], Double.longBitsToDouble(bits[i]));
                        headMin = Math.min(headMin, times[i]);
                        headMax = Math.max(headMax, times[i]);
                        samplesAppended++;
                    }
                }
                labels.clear();
                samples.clear();
                lastInBatch.clear();
                cutBlocksIfDue();
            }
        }
    }

    /** Writes blocks while the head spans more than 1.5 block ranges (Prometheus' head compaction rule). */
    synchronized void cutBlocksIfDue() throws IOException {
        while (headMax != Long.MIN_VALUE && headMax - headMin > blockRange / 2 * 3) {
            long mint = Math.floorDiv(headMin, blockRange) * blockRange;
            cutBlock(mint, mint + blockRange);
        }
    }

    /** Writes the head's samples in {@code [mint, maxt)} as a block, drops them from the head and checkpoints the log. */
    public synchronized BlockMeta cutBlock(long mint, long maxt) throws IOException {
        BlockMeta meta = null;
        boolean any = head.values().stream().anyMatch(s -> s.n > 0 && s.t[0] < maxt);
        if (any) {
            BlockWriter.Options options = BlockWriter.Options.defaults()
                    .withThanos(BlockMeta.Thanos.of(externalLabels.toMap(), 0, "ruler"));
            try (UnsortedBlockWriter writer = UnsortedBlockWriter.create(directory, mint, maxt, options)) {
                for (HeadSeries series : head.values()) {
                    int count = 0;
                    while (count < series.n && series.t[count] < maxt) {
                        count++;
                    }
                    int from = 0;
                    while (from < count && series.t[from] < mint) {
                        from++;
                    }
                    if (count > from) {
                        writer.addSeries(series.labels, java.util.Arrays.copyOfRange(series.t, from, count),
                                java.util.Arrays.copyOfRange(series.v, from, count), count - from);
                    }
                }
                meta = writer.commit();
                try {
                    BlockReader reader = BlockReader.open(writer.directory());
                    blocks.put(reader.maxTime() * 1000 + blocks.size(), reader);
                } catch (StorageException e) {
                    throw new IOException("cannot open the block just written: " + e.getMessage(), e);
                }
            }
        }
        minValidTime = Math.max(minValidTime, maxt);
        headMin = Long.MAX_VALUE;
        headMax = Long.MIN_VALUE;
        Iterator<HeadSeries> iterator = head.values().iterator();
        while (iterator.hasNext()) {
            HeadSeries series = iterator.next();
            series.dropBefore(maxt);
            if (series.n == 0) {
                iterator.remove();
                byRef.remove(series.ref);
            } else {
                headMin = Math.min(headMin, series.t[0]);
                headMax = Math.max(headMax, series.t[series.n - 1]);
            }
        }
        List<WriteAheadLog.SeriesRecord> live = new ArrayList<>();
        List<long[]> remaining = new ArrayList<>();
        for (HeadSeries series : head.values()) {
            live.add(new WriteAheadLog.SeriesRecord(series.ref, series.labels));
            for (int i = 0; i < series.n; i++) {
                remaining.add(new long[] {series.ref, series.t[i], Double.doubleToRawLongBits(series.v[i])});
            }
        }
        wal.checkpoint(live, remaining);
        applyRetention();
        if (meta != null) {
            LOG.log(System.Logger.Level.INFO, "cut block {0} [{1}, {2}) with {3} series", meta.ulid(), mint, maxt, meta.stats().numSeries());
        }
        return meta;
    }

    private void applyRetention() throws IOException {
        if (retentionMillis <= 0 || blocks.isEmpty()) {
            return;
        }
        long newest = blocks.lastEntry().getValue().maxTime();
        Iterator<Map.Entry<Long, BlockReader>> iterator = blocks.entrySet().iterator();
        while (iterator.hasNext()) {
            BlockReader reader = iterator.next().getValue();
            if (reader.maxTime() < newest - retentionMillis) {
                iterator.remove();
                reader.close();
                deleteRecursively(reader.directory());
            }
        }
    }

    /** Series with their samples in {@code [mint, maxt]}, blocks then head, merged per label set. */
    private synchronized TreeMap<Labels, SampleArrays> collect(long mint, long maxt, List<LabelMatcher> matchers) throws StorageException {
        TreeMap<Labels, SampleArrays> out = new TreeMap<>();
        for (BlockReader block : blocks.values()) {
            if (block.maxTime() <= mint || block.minTime() > maxt) {
                continue;
            }
            SeriesSet set = block.select(mint, maxt, matchers);
            while (set.next()) {
                Series series = set.at();
                SampleArrays arrays = out.computeIfAbsent(series.labels(), l -> new SampleArrays());
                SampleIterator it = series.iterator(null);
                while (it.next()) {
                    if (it.timestamp() >= mint && it.timestamp() <= maxt) {
                        arrays.add(it.timestamp(), it.value());
                    }
                }
            }
        }
        for (HeadSeries series : head.values()) {
            if (!matchesAll(series.labels, matchers)) {
                continue;
            }
            SampleArrays arrays = null;
            for (int i = 0; i < series.n; i++) {
                if (series.t[i] >= mint && series.t[i] <= maxt) {
                    if (arrays == null) {
                        arrays = out.computeIfAbsent(series.labels, l -> new SampleArrays());
                    }
                    arrays.add(series.t[i], series.v[i]);
                }
            }
        }
        out.values().removeIf(a -> a.n == 0);
        return out;
    }

    private static boolean matchesAll(Labels labels, List<LabelMatcher> matchers) {
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    private static final class SampleArrays {
        long[] t = new long[8];
        double[] v = new double[8];
        int n;

        void add(long timestamp, double value) {
            if (n > 0 && timestamp <= t[n - 1]) {
                return;
            }
            if (n == t.length) {
                t = java.util.Arrays.copyOf(t, n * 2);
                v = java.util.Arrays.copyOf(v, n * 2);
            }
            t[n] = timestamp;
            v[n] = value;
            n++;
        }
    }

    @Override
    public Querier querier(long mint, long maxt) {
        return new Querier() {
            @Override
            public SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) throws StorageException {
                List<Map.Entry<Labels, SampleArrays>> entries = new ArrayList<>(collect(mint, maxt, matchers).entrySet());
                return new SeriesSet() {
                    private int index = -1;

                    @Override
                    public boolean next() {
                        return ++index < entries.size();
                    }

                    @Override
                    public Series at() {
                        Map.Entry<Labels, SampleArrays> entry = entries.get(index);
                        return new ArraySeries(entry.getKey(), entry.getValue().t, entry.getValue().v, entry.getValue().n);
                    }
                };
            }

            @Override
            public List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException {
                TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
                for (Labels labels : collect(mint, maxt, matchers).keySet()) {
                    if (labels.has(name)) {
                        values.add(labels.get(name));
                    }
                }
                return new ArrayList<>(values);
            }

            @Override
            public List<String> labelNames(List<LabelMatcher> matchers) throws StorageException {
                TreeSet<String> names = new TreeSet<>(Labels::compareStrings);
                for (Labels labels : collect(mint, maxt, matchers).keySet()) {
                    names.addAll(labels.names());
                }
                return new ArrayList<>(names);
            }

            @Override
            public void close() {
            }
        };
    }

    private record ArraySeries(Labels labels, long[] t, double[] v, int n) implements Series {
        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            return new SampleIterator() {
                private int index = -1;

                @Override
                public boolean next() {
                    return ++index < n;
                }

                @Override
                public boolean seek(long time) {
                    if (index < 0) {
                        index = 0;
                    }
                    while (index < n && t[index] < time) {
                        index++;
                    }
                    return index < n;
                }

                @Override
                public long timestamp() {
                    return t[index];
                }

                @Override
                public double value() {
                    return v[index];
                }
            };
        }
    }

    @Override
    public synchronized SourceInfo info() {
        long min = Long.MAX_VALUE;
        for (BlockReader block : blocks.values()) {
            min = Math.min(min, block.minTime());
        }
        min = Math.min(min, headMin);
        return SourceInfo.of("rule", externalLabels, min == Long.MAX_VALUE ? Long.MAX_VALUE : min, Long.MAX_VALUE);
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        List<Map.Entry<Labels, SampleArrays>> entries = new ArrayList<>(collect(query.minTime(), query.maxTime(), query.matchers()).entrySet());
        return new ChunkSeriesSet() {
            private int index = -1;

            @Override
            public boolean next() {
                return ++index < entries.size();
            }

            @Override
            public Labels labels() {
                return entries.get(index).getKey();
            }

            @Override
            public List<EncodedChunk> chunks() {
                if (query.skipChunks()) {
                    return List.of();
                }
                SampleArrays arrays = entries.get(index).getValue();
                List<EncodedChunk> chunks = new ArrayList<>();
                for (int from = 0; from < arrays.n; from += SAMPLES_PER_CHUNK) {
                    int to = Math.min(arrays.n, from + SAMPLES_PER_CHUNK);
                    XorChunkAppender appender = new XorChunkAppender();
                    for (int i = from; i < to; i++) {
                        appender.append(arrays.t[i], arrays.v[i]);
                    }
                    chunks.add(new EncodedChunk(arrays.t[from], arrays.t[to - 1], 1, appender.toByteArray()));
                }
                return chunks;
            }
        };
    }

    @Override
    public List<String> labelNames(LabelQuery query) throws StorageException {
        try (Querier querier = querier(query.start(), query.end())) {
            return querier.labelNames(query.matchers());
        }
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        try (Querier querier = querier(query.start(), query.end())) {
            return querier.labelValues(name, query.matchers());
        }
    }

    /** Series in the head, samples appended since start, blocks on disk (for metrics and tests). */
    public synchronized Stats stats() {
        return new Stats(head.size(), samplesAppended, blocks.size(), headMin == Long.MAX_VALUE ? 0 : headMin, headMax == Long.MIN_VALUE ? 0 : headMax);
    }

    public record Stats(int headSeries, long samplesAppended, int blocks, long headMinTime, long headMaxTime) {
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        for (BlockReader block : blocks.values()) {
            block.close();
        }
        blocks.clear();
        wal.close();
    }
}
