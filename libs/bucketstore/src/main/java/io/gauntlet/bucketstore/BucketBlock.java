package io.gauntlet.bucketstore;

import io.gauntlet.bucketstore.IndexHeader.PostingsRange;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.CorruptedDataException.Kind;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * One block of the bucket as a store serves it (Thanos' bucketBlock): the local {@link IndexHeader} for symbols and
 * the postings offset table; postings lists and series entries fetched by coalesced byte ranges through the shared
 * {@link IndexCache}; chunk bytes fetched by coalesced ranges and handed on undecoded.
 */
public final class BucketBlock implements BlockSpan, AutoCloseable {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(BucketBlock.class.getName());
    /** Thanos' estimate of the largest series entry when index_stats does not say. */
    static final long SERIES_SIZE_ESTIMATE = 64 * 1024;
    /** Thanos' estimate of the largest chunk (with its length, encoding and CRC) when index_stats does not say. */
    static final long CHUNK_SIZE_ESTIMATE = 16_000;

    private final BlockMeta meta;
    private final String id;
    private final Bucket bucket;
    private final IndexHeader header;
    private final IndexCache cache;
    private final Labels externalLabels;
    private final String[] externalPairs; // the same, as sorted name/value pairs
    private final long seriesSizeEstimate;
    private final long chunkSizeEstimate;
    // readers plus the store's own reference: the header is unmapped when the last one lets go
    private final java.util.concurrent.atomic.AtomicInteger references = new java.util.concurrent.atomic.AtomicInteger(1);
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    // recently resolved symbols (label names and common values), shared by queries; slots are replaced whole
    private final CachedSymbol[] symbols = new CachedSymbol[SYMBOL_SLOTS];

    private static final int SYMBOL_SLOTS = 1024;

    private record CachedSymbol(long ref, String value) {
    }

    /** A series of this block with the chunks that overlap the asked time range; labels include the external ones. */
    public record SeriesMeta(Labels labels, long[] minTimes, long[] maxTimes, long[] refs) {
        public int chunkCount() {
            return refs.length;
        }
    }

    private BucketBlock(BlockMeta meta, Bucket bucket, IndexHeader header, IndexCache cache) {
        this.meta = meta;
        this.id = meta.ulid().toString();
        this.bucket = bucket;
        this.header = header;
        this.cache = cache;
        this.externalLabels = meta.thanos() == null ? Labels.EMPTY : Labels.fromMap(meta.thanos().labels());
        this.externalPairs = new String[externalLabels.size() * 2];
        for (int i = 0; i < externalLabels.size(); i++) {
            externalPairs[2 * i] = externalLabels.name(i);
            externalPairs[2 * i + 1] = externalLabels.value(i);
        }
        BlockMeta.IndexStats stats = meta.thanos() == null ? BlockMeta.IndexStats.NONE : meta.thanos().indexStats();
        this.seriesSizeEstimate = stats.seriesMaxSize() > 0 ? stats.seriesMaxSize() : SERIES_SIZE_ESTIMATE;
        this.chunkSizeEstimate = stats.chunkMaxSize() > 0 ? stats.chunkMaxSize() + 16 : CHUNK_SIZE_ESTIMATE;
    }

    /**
     * Opens a block, building its index header under {@code cacheDir/<ulid>/} unless an earlier run left one there.
     *
     * @throws StorageException when the index is corrupt or unsupported; {@link BucketException} when unreadable
     */
    public static BucketBlock open(Bucket bucket, BlockMeta meta, Path cacheDir, IndexCache cache) throws IOException, StorageException {
        String id = meta.ulid().toString();
        Path headerFile = cacheDir.resolve(id).resolve(IndexHeader.FILE);
        if (!Files.exists(headerFile)) {
            try {
                IndexHeader.build(bucket, id, indexSize(bucket, meta), headerFile);
            } catch (UnsupportedEncodingException e) {
                // a format this store cannot read costs the block as a corruption does: reported with its file, not retried
                throw new CorruptedDataException(id, "index", 4, e.getMessage(), CorruptedDataException.Kind.UNKNOWN_ENCODING, e);
            }
        }
        IndexHeader header;
        try {
            header = IndexHeader.open(headerFile, id);
        } catch (CorruptedDataException e) {
            // a damaged local file (e.g. a crash mid-write on an old layout): rebuild it once from the bucket
            Files.deleteIfExists(headerFile);
            IndexHeader.build(bucket, id, indexSize(bucket, meta), headerFile);
            header = IndexHeader.open(headerFile, id);
        }
        return new BucketBlock(meta, bucket, header, cache);
    }

    private static long indexSize(Bucket bucket, BlockMeta meta) {
        if (meta.thanos() != null) {
            for (BlockMeta.File file : meta.thanos().files()) {
                if (file.relPath().equals("index") && file.sizeBytes() > 0) {
                    return file.sizeBytes();
                }
            }
        }
        return bucket.attributes(meta.ulid() + "/index").size();
    }

    public BlockMeta meta() {
        return meta;
    }

    public String id() {
        return id;
    }

    public Labels externalLabels() {
        return externalLabels;
    }

    public long resolution() {
        return meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
    }

    public long minTime() {
        return meta.minTime();
    }

    /** Exclusive, as in meta.json. */
    public long maxTime() {
        return meta.maxTime();
    }

    public boolean overlaps(long minTime, long maxTime) {
        return meta.minTime() <= maxTime && minTime < meta.maxTime();
    }

    public long headerBytes() {
        return header.headerBytes();
    }

    /** One read of this block's index or chunks. */
    @FunctionalInterface
    public interface Read<T> {
        T run() throws StorageException;
    }

    /**
     * Runs a read; when it finds the data corrupt, runs it once more with the block's cached entries dropped, so that
     * only damage found twice in what the bucket holds is reported (not a bad cache entry or a one-off bad read).
     *
     * @throws CorruptedDataException when the repeated read fails too: the corruption is confirmed
     */
    public <T> T verified(Read<T> read) throws StorageException {
        try {
            return read.run();
        } catch (CorruptedDataException first) {
            cache.dropBlock(id);
            Arrays.fill(symbols, null);
            T result = read.run();
            LOG.warning("block " + id + ": a read found damage once and none when repeated from the bucket: " + first.getMessage());
            return result;
        }
    }

    // ---- postings ----

    /** The sorted IDs of the series all matchers (none on external labels) select, with Prometheus' semantics. */
    public int[] postings(List<LabelMatcher> matchers) throws StorageException {
        if (matchers.isEmpty()) {
            return fetchPostings("", List.of(header.allPostings()));
        }
        Set<String> mustBeSet = new HashSet<>();
        for (LabelMatcher m : matchers) {
            if (!m.matchesEmpty()) {
                mustBeSet.add(m.name());
            }
        }
        List<int[]> intersect = new ArrayList<>();
        List<int[]> subtract = new ArrayList<>();
        for (LabelMatcher m : matchers) {
            boolean negative = m.type() == LabelMatcher.Type.NOT_EQUAL || m.type() == LabelMatcher.Type.NOT_REGEX;
            if (!mustBeSet.contains(m.name()) || (negative && m.matchesEmpty())) {
                // selects series without the label too: drop those whose value the matcher rejects
                subtract.add(valuesPostings(m.name(), value -> !m.matches(value)));
            } else {
                int[] postings = m.type() == LabelMatcher.Type.EQUAL ? pairPostings(m.name(), m.value())
                        : valuesPostings(m.name(), m::matches);
                if (postings.length == 0) {
                    return PostingsLists.EMPTY;
                }
                intersect.add(postings);
            }
        }
        if (intersect.isEmpty()) {
            intersect.add(fetchPostings("", List.of(header.allPostings())));
        }
        intersect.sort((a, b) -> Integer.compare(a.length, b.length));
        int[] result = intersect.getFirst();
        for (int i = 1; i < intersect.size() && result.length > 0; i++) {
            result = PostingsLists.intersect(result, intersect.get(i));
        }
        for (int[] drop : subtract) {
            if (result.length == 0) {
                break;
            }
            result = PostingsLists.subtract(result, drop);
        }
        return result;
    }

    private int[] pairPostings(String name, String value) throws StorageException {
        PostingsRange range = header.postingsRange(name, value);
        return range == null ? PostingsLists.EMPTY : fetchPostings(name, List.of(range));
    }

    private int[] valuesPostings(String name, Predicate<String> accept) throws StorageException {
        List<PostingsRange> ranges = header.postingsRanges(name, accept);
        return ranges.isEmpty() ? PostingsLists.EMPTY : fetchPostings(name, ranges);
    }

    /** The union of the lists, from the cache or by coalesced range reads of the index. */
    private int[] fetchPostings(String name, List<PostingsRange> ranges) throws StorageException {
        List<int[]> lists = new ArrayList<>(ranges.size());
        List<PostingsRange> missing = new ArrayList<>();
        for (PostingsRange range : ranges) {
            int[] cached = cache.postings(new IndexCache.PostingsKey(id, name, range.value()));
            if (cached != null) {
                lists.add(cached);
            } else {
                missing.add(range);
            }
        }
        if (!missing.isEmpty()) {
            missing.sort((a, b) -> Long.compare(a.start(), b.start()));
            long[] starts = new long[missing.size()];
            long[] ends = new long[missing.size()];
            for (int i = 0; i < starts.length; i++) {
                starts[i] = missing.get(i).start();
                ends[i] = missing.get(i).end();
            }
            for (ByteRanges.Merged merged : ByteRanges.coalesce(starts, ends, starts.length)) {
                byte[] bytes = readIndex(merged.start(), merged.end() - merged.start(), true);
                for (int i = merged.first(); i <= merged.last(); i++) {
                    PostingsRange range = missing.get(i);
                    int[] postings = decodePostings(bytes, (int) (range.start() - merged.start()), range);
                    cache.putPostings(new IndexCache.PostingsKey(id, name, range.value()), postings);
                    lists.add(postings);
                }
            }
        }
        return PostingsLists.union(lists);
    }

    private int[] decodePostings(byte[] bytes, int at, PostingsRange range) throws CorruptedDataException {
        if (at + 8 > bytes.length) {
            throw corrupted("index", range.start(), "postings list header runs past its range");
        }
        long length = Integer.toUnsignedLong(readInt(bytes, at));
        long count = Integer.toUnsignedLong(readInt(bytes, at + 4));
        if (length != 4 + 4 * count || at + 4 + length + 4 > bytes.length) {
            throw corrupted("index", range.start(), "postings list of " + range.value() + " claims " + length + " bytes for " + count
                    + " entries within " + (range.end() - range.start()) + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, at + 4, (int) length);
        if ((int) crc.getValue() != readInt(bytes, (int) (at + 4 + length))) {
            throw corrupted("index", range.start(), "postings list checksum mismatch");
        }
        int[] out = new int[(int) count];
        int previous = -1;
        for (int i = 0; i < out.length; i++) {
            int value = readInt(bytes, at + 8 + 4 * i);
            if (value < 0 || value <= previous) {
                throw corrupted("index", range.start(), "postings list is not ascending or exceeds 2^31 series IDs");
            }
            out[i] = value;
            previous = value;
        }
        return out;
    }

    // ---- series ----

    /**
     * The series with the given IDs that have chunks overlapping {@code [minTime, maxTime]}, external labels added
     * (they win), sorted by labels.
     */
    public List<SeriesMeta> series(int[] ids, long minTime, long maxTime) throws StorageException {
        byte[][] entries = fetchSeries(ids);
        List<SeriesMeta> out = new ArrayList<>();
        boolean mayReorder = !externalLabels.isEmpty();
        for (int i = 0; i < ids.length; i++) {
            SeriesMeta series = decodeSeries(entries[i], ids[i], minTime, maxTime);
            if (series != null) {
                out.add(series);
            }
        }
        if (mayReorder) {
            out.sort((a, b) -> a.labels().compareTo(b.labels()));
        }
        return out;
    }

    /** Label names of the selected series (without matchers: every name in the index), external names included. */
    public Set<String> labelNames(List<LabelMatcher> matchers, long minTime, long maxTime) throws StorageException {
        TreeSet<String> names = new TreeSet<>(Labels::compareStrings);
        if (matchers.isEmpty()) {
            names.addAll(header.labelNames());
            names.addAll(externalLabels.names());
            return names;
        }
        for (SeriesMeta series : series(postings(matchers), minTime, maxTime)) {
            names.addAll(series.labels().names());
        }
        return names;
    }

    /** Values of {@code name} among the selected series (without matchers: every value in the index). */
    public Set<String> labelValues(String name, List<LabelMatcher> matchers, long minTime, long maxTime) throws StorageException {
        TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
        if (externalLabels.has(name)) {
            values.add(externalLabels.get(name));
            return values;
        }
        if (matchers.isEmpty()) {
            values.addAll(header.labelValues(name));
            return values;
        }
        for (SeriesMeta series : series(postings(matchers), minTime, maxTime)) {
            String value = series.labels().get(name);
            if (value != null && !value.isEmpty()) {
                values.add(value);
            }
        }
        return values;
    }

    /** Raw series entries (uvarint length, body, CRC) for the IDs, from the cache or by coalesced range reads. */
    private byte[][] fetchSeries(int[] ids) throws StorageException {
        byte[][] out = new byte[ids.length][];
        int[] missing = new int[ids.length];
        int count = 0;
        for (int i = 0; i < ids.length; i++) {
            out[i] = cache.series(new IndexCache.SeriesKey(id, ids[i]));
            if (out[i] == null) {
                missing[count++] = i;
            }
        }
        if (count == 0) {
            return out;
        }
        long seriesEnd = header.seriesEnd();
        long[] starts = new long[count];
        long[] ends = new long[count];
        for (int i = 0; i < count; i++) {
            starts[i] = 16L * ids[missing[i]];
            ends[i] = Math.min(starts[i] + seriesSizeEstimate, seriesEnd);
            if (starts[i] < header.originalToc().series() || starts[i] >= seriesEnd) {
                throw corrupted("index", starts[i], "series ID " + ids[missing[i]] + " outside the series section");
            }
        }
        for (ByteRanges.Merged merged : ByteRanges.coalesce(starts, ends, count)) {
            byte[] bytes = readIndex(merged.start(), merged.end() - merged.start(), true);
            for (int m = merged.first(); m <= merged.last(); m++) {
                int at = (int) (starts[m] - merged.start());
                long[] cursor = {at};
                long bodyLength = uvarint(bytes, cursor, starts[m]);
                long total = cursor[0] - at + bodyLength + 4;
                byte[] entry;
                if (at + total <= bytes.length) {
                    entry = Arrays.copyOfRange(bytes, at, (int) (at + total));
                } else {
                    if (starts[m] + total > seriesEnd) {
                        throw corrupted("index", starts[m], "series entry of " + bodyLength + " bytes runs past the series section");
                    }
                    entry = readIndex(starts[m], total, false); // larger than the estimate: fetch it alone
                }
                int index = missing[m];
                out[index] = entry;
                cache.putSeries(new IndexCache.SeriesKey(id, ids[index]), entry);
            }
        }
        return out;
    }

    private SeriesMeta decodeSeries(byte[] entry, int seriesId, long minTime, long maxTime) throws StorageException {
        long offset = 16L * seriesId;
        long[] cursor = {0};
        long bodyLength = uvarint(entry, cursor, offset);
        int bodyStart = (int) cursor[0];
        int bodyEnd = (int) (bodyStart + bodyLength);
        if (bodyEnd + 4 != entry.length) {
            throw corrupted("index", offset, "series entry length " + bodyLength + " does not match its bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(entry, bodyStart, (int) bodyLength);
        if ((int) crc.getValue() != readInt(entry, bodyEnd)) {
            throw corrupted("index", offset, "series entry checksum mismatch");
        }
        long labelCount = uvarint(entry, cursor, offset);
        if (labelCount > bodyLength / 2) {
            throw corrupted("index", offset, "series claims " + labelCount + " labels in " + bodyLength + " bytes");
        }
        String[] pairs = new String[(int) labelCount * 2];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = symbol(uvarint(entry, cursor, offset));
        }
        long chunkCount = uvarint(entry, cursor, offset);
        if (chunkCount > bodyLength / 3) {
            throw corrupted("index", offset, "series claims " + chunkCount + " chunks in " + bodyLength + " bytes");
        }
        long[] mins = new long[(int) chunkCount];
        long[] maxs = new long[(int) chunkCount];
        long[] refs = new long[(int) chunkCount];
        int kept = 0;
        long chunkMax = 0;
        long ref = 0;
        for (int i = 0; i < chunkCount; i++) {
            long chunkMin;
            if (i == 0) {
                chunkMin = varint(entry, cursor, offset);
                chunkMax = chunkMin + uvarint(entry, cursor, offset);
                ref = uvarint(entry, cursor, offset);
            } else {
                chunkMin = chunkMax + uvarint(entry, cursor, offset);
                chunkMax = chunkMin + uvarint(entry, cursor, offset);
                ref += varint(entry, cursor, offset);
            }
            if (chunkMax >= minTime && chunkMin <= maxTime) {
                mins[kept] = chunkMin;
                maxs[kept] = chunkMax;
                refs[kept] = ref;
                kept++;
            }
        }
        if (cursor[0] != bodyEnd) {
            throw corrupted("index", offset, "series entry has bytes after its chunks");
        }
        if (kept == 0) {
            return null;
        }
        Labels labels = Labels.ofSortedPairs(withExternalLabels(pairs));
        if (kept == chunkCount) {
            return new SeriesMeta(labels, mins, maxs, refs);
        }
        return new SeriesMeta(labels, Arrays.copyOf(mins, kept), Arrays.copyOf(maxs, kept), Arrays.copyOf(refs, kept));
    }

    /** A series' sorted pairs with the external labels merged in (they win); a plain merge, no map per series. */
    private String[] withExternalLabels(String[] own) {
        if (externalPairs.length == 0) {
            return own;
        }
        String[] merged = new String[own.length + externalPairs.length];
        int i = 0;
        int e = 0;
        int n = 0;
        while (i < own.length || e < externalPairs.length) {
            int cmp = i == own.length ? 1 : e == externalPairs.length ? -1 : Labels.compareStrings(own[i], externalPairs[e]);
            if (cmp < 0) {
                merged[n++] = own[i];
                merged[n++] = own[i + 1];
                i += 2;
            } else {
                merged[n++] = externalPairs[e];
                merged[n++] = externalPairs[e + 1];
                e += 2;
                if (cmp == 0) {
                    i += 2;
                }
            }
        }
        return n == merged.length ? merged : Arrays.copyOf(merged, n);
    }

    private String symbol(long ref) throws CorruptedDataException {
        int slot = (int) ((ref ^ (ref >>> 10)) & (SYMBOL_SLOTS - 1));
        CachedSymbol cached = symbols[slot];
        if (cached != null && cached.ref() == ref) {
            return cached.value();
        }
        String value = header.symbol(ref);
        symbols[slot] = new CachedSymbol(ref, value);
        return value;
    }

    // ---- chunks ----

    /**
     * Loads the chunk data of {@code series[from, to)} into {@code out[i][c]} (encoding byte in {@code encodings}),
     * one coalesced range read per run of nearby chunks in a segment file.
     */
    public void loadChunks(List<SeriesMeta> series, int from, int to, byte[][][] out, int[][] encodings) throws StorageException {
        verified(() -> {
            loadChunksOnce(series, from, to, out, encodings);
            return null;
        });
    }

    private void loadChunksOnce(List<SeriesMeta> series, int from, int to, byte[][][] out, int[][] encodings) throws StorageException {
        int total = 0;
        for (int i = from; i < to; i++) {
            total += series.get(i).chunkCount();
            out[i - from] = new byte[series.get(i).chunkCount()][];
            encodings[i - from] = new int[series.get(i).chunkCount()];
        }
        long[] keys = new long[total]; // ref, with the series/chunk position in a parallel array
        long[] positions = new long[total];
        int n = 0;
        for (int i = from; i < to; i++) {
            long[] refs = series.get(i).refs();
            for (int c = 0; c < refs.length; c++) {
                byte[] cached = cache.chunk(new IndexCache.ChunkKey(id, refs[c]));
                if (cached != null) {
                    encodings[i - from][c] = cached[0] & 0xFF;
                    out[i - from][c] = Arrays.copyOfRange(cached, 1, cached.length); // handed out: the cached copy stays intact
                    continue;
                }
                keys[n] = refs[c];
                positions[n] = ((long) (i - from) << 32) | c;
                n++;
            }
        }
        sortTogether(keys, positions, n);
        int groupStart = 0;
        while (groupStart < n) {
            long file = keys[groupStart] >>> 32;
            int groupEnd = groupStart;
            while (groupEnd < n && keys[groupEnd] >>> 32 == file) {
                groupEnd++;
            }
            int size = groupEnd - groupStart;
            long[] starts = new long[size];
            long[] ends = new long[size];
            for (int k = 0; k < size; k++) {
                starts[k] = keys[groupStart + k] & 0xFFFF_FFFFL;
                ends[k] = starts[k] + chunkSizeEstimate;
            }
            String object = String.format("%s/chunks/%06d", id, file + 1);
            for (ByteRanges.Merged merged : ByteRanges.coalesce(starts, ends, size)) {
                byte[] bytes = read(object, merged.start(), merged.end() - merged.start(), true);
                for (int k = merged.first(); k <= merged.last(); k++) {
                    long position = positions[groupStart + k];
                    int s = (int) (position >>> 32);
                    int c = (int) position;
                    parseChunk(object, bytes, merged.start(), starts[k], out[s], encodings[s], c);
                    byte[] entry = new byte[out[s][c].length + 1];
                    entry[0] = (byte) encodings[s][c];
                    System.arraycopy(out[s][c], 0, entry, 1, out[s][c].length);
                    cache.putChunk(new IndexCache.ChunkKey(id, keys[groupStart + k]), entry);
                }
            }
            groupStart = groupEnd;
        }
    }

    private void parseChunk(String object, byte[] bytes, long bufferStart, long offset, byte[][] out, int[] encodings, int c)
            throws StorageException {
        int at = (int) (offset - bufferStart);
        long[] cursor = {at};
        if (at >= bytes.length) {
            throw corrupted(file(object), offset, "chunk reference points past the end of " + object, Kind.DECODE);
        }
        long length = uvarint(bytes, cursor, offset);
        long headerLength = cursor[0] - at;
        long total = headerLength + 1 + length + 4;
        byte[] buffer = bytes;
        int start = at;
        if (at + total > bytes.length) {
            buffer = read(object, offset, total, false); // larger than the estimate: fetch it alone
            start = 0;
            if (buffer.length < total) {
                throw corrupted(file(object), offset, "chunk of " + length + " bytes runs past the end of " + object, Kind.TRUNCATED);
            }
        }
        int encodingAt = (int) (start + headerLength);
        CRC32C crc = new CRC32C();
        crc.update(buffer, encodingAt, (int) (1 + length));
        if ((int) crc.getValue() != readInt(buffer, (int) (encodingAt + 1 + length))) {
            throw corrupted(file(object), offset, "chunk checksum mismatch in " + object, Kind.CHECKSUM);
        }
        encodings[c] = buffer[encodingAt] & 0xFF;
        if (!ChunkEncoding.isKnown(encodings[c])) {
            throw corrupted(file(object), offset, "unknown chunk encoding " + encodings[c] + " in " + object, Kind.UNKNOWN_ENCODING);
        }
        out[c] = Arrays.copyOfRange(buffer, encodingAt + 1, (int) (encodingAt + 1 + length));
    }

    private static void sortTogether(long[] keys, long[] values, int n) {
        // sort indices by key; n is the chunks of one batch, small enough for boxing-free insertion via a packed copy
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        long[] k = new long[n];
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            k[i] = keys[order[i]];
            v[i] = values[order[i]];
        }
        System.arraycopy(k, 0, keys, 0, n);
        System.arraycopy(v, 0, values, 0, n);
    }

    // ---- reading ----

    private byte[] readIndex(long offset, long length, boolean mayBeShort) throws CorruptedDataException {
        return read(id + "/index", offset, length, mayBeShort);
    }

    private byte[] read(String object, long offset, long length, boolean mayBeShort) throws CorruptedDataException {
        return BlockFileReads.read(bucket, object, offset, length, mayBeShort);
    }

    /** {@code chunks/000001} of {@code <ulid>/chunks/000001}. */
    private String file(String object) {
        return object.substring(id.length() + 1);
    }

    private CorruptedDataException corrupted(String file, long offset, String problem) {
        return new CorruptedDataException(id, file, offset, problem);
    }

    private CorruptedDataException corrupted(String file, long offset, String problem, Kind kind) {
        return new CorruptedDataException(id, file, offset, problem, kind, null);
    }

    private static int readInt(byte[] bytes, int at) {
        return ((bytes[at] & 0xFF) << 24) | ((bytes[at + 1] & 0xFF) << 16) | ((bytes[at + 2] & 0xFF) << 8) | (bytes[at + 3] & 0xFF);
    }

    private long uvarint(byte[] bytes, long[] cursor, long offset) throws CorruptedDataException {
        long value = 0;
        int shift = 0;
        int p = (int) cursor[0];
        while (true) {
            if (p >= bytes.length || shift > 63) {
                throw corrupted("index", offset, "truncated varint");
            }
            byte b = bytes[p++];
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
            shift += 7;
        }
        cursor[0] = p;
        return value;
    }

    private long varint(byte[] bytes, long[] cursor, long offset) throws CorruptedDataException {
        long raw = uvarint(bytes, cursor, offset);
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Takes a reader reference; false when the block is already closed (dropped meanwhile). */
    public boolean acquire() {
        while (true) {
            int n = references.get();
            if (n == 0) {
                return false;
            }
            if (references.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Returns a reader reference taken with {@link #acquire()}. */
    public void release() {
        if (references.decrementAndGet() == 0) {
            header.close();
            cache.dropBlock(id);
        }
    }

    /** The store lets go of the block; its files stay mapped until running queries have finished with it. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            release();
        }
    }

    @Override
    public String toString() {
        return "block " + id + " [" + meta.minTime() + ", " + meta.maxTime() + ") " + externalLabels + " resolution " + resolution();
    }
}
