package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One series as the index stores it — its labels and chunk metas — decoded into arrays that are reused
 * from call to call of {@link IndexReader#series(long, SeriesEntry)}. Not thread-safe: one per reading thread.
 */
public final class SeriesEntry {
    private String[] labelPairs = new String[16];
    private int labelCount;
    private long[] minTimes = new long[8];
    private long[] maxTimes = new long[8];
    private long[] refs = new long[8];
    private int chunkCount;

    // decoding state bound to the reader that last filled this entry
    IndexReader owner;
    SegmentCursor cursor;
    SegmentCursor symbolCursor;
    // label values repeat across series: a direct-mapped cache of symbol reference -> string saves lookups
    static final int CACHE_SIZE = 1024;
    final long[] cachedRefs = new long[CACHE_SIZE];
    final String[] cachedSymbols = new String[CACHE_SIZE];

    void bind(IndexReader reader, SegmentCursor seriesCursor, SegmentCursor symbolsCursor) {
        owner = reader;
        cursor = seriesCursor;
        symbolCursor = symbolsCursor;
        Arrays.fill(cachedRefs, -1);
        Arrays.fill(cachedSymbols, null);
    }

    public int labelCount() {
        return labelCount;
    }

    public String labelName(int index) {
        checkLabel(index);
        return labelPairs[2 * index];
    }

    public String labelValue(int index) {
        checkLabel(index);
        return labelPairs[2 * index + 1];
    }

    /** A copy of the labels as an immutable {@link Labels}. */
    public Labels labels() {
        return Labels.ofSortedPairs(Arrays.copyOf(labelPairs, 2 * labelCount));
    }

    public int chunkCount() {
        return chunkCount;
    }

    public long chunkMinTime(int index) {
        checkChunk(index);
        return minTimes[index];
    }

    public long chunkMaxTime(int index) {
        checkChunk(index);
        return maxTimes[index];
    }

    public long chunkRef(int index) {
        checkChunk(index);
        return refs[index];
    }

    public ChunkMeta chunk(int index) {
        checkChunk(index);
        return new ChunkMeta(minTimes[index], maxTimes[index], refs[index]);
    }

    public List<ChunkMeta> chunks() {
        List<ChunkMeta> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            chunks.add(new ChunkMeta(minTimes[i], maxTimes[i], refs[i]));
        }
        return chunks;
    }

    void reset() {
        labelCount = 0;
        chunkCount = 0;
    }

    void addLabel(String name, String value) {
        if (2 * labelCount + 2 > labelPairs.length) {
            labelPairs = Arrays.copyOf(labelPairs, labelPairs.length * 2);
        }
        labelPairs[2 * labelCount] = name;
        labelPairs[2 * labelCount + 1] = value;
        labelCount++;
    }

    void addChunk(long minTime, long maxTime, long ref) {
        if (chunkCount == refs.length) {
            int size = refs.length * 2;
            minTimes = Arrays.copyOf(minTimes, size);
            maxTimes = Arrays.copyOf(maxTimes, size);
            refs = Arrays.copyOf(refs, size);
        }
        minTimes[chunkCount] = minTime;
        maxTimes[chunkCount] = maxTime;
        refs[chunkCount] = ref;
        chunkCount++;
    }

    private void checkLabel(int index) {
        if (index < 0 || index >= labelCount) {
            throw new IllegalArgumentException("label index " + index + " outside 0.." + (labelCount - 1));
        }
    }

    private void checkChunk(int index) {
        if (index < 0 || index >= chunkCount) {
            throw new IllegalArgumentException("chunk index " + index + " outside 0.." + (chunkCount - 1));
        }
    }
}
