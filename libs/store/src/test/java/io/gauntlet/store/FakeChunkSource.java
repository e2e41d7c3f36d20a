package io.gauntlet.store;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory chunk source that counts how far it was pulled and whether it was closed. */
final class FakeChunkSource implements ChunkSource {
    final TreeMap<Labels, List<EncodedChunk>> series = new TreeMap<>();
    final AtomicInteger pulled = new AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    volatile StoreQuery lastQuery;
    volatile StorageException failWith;
    volatile RuntimeException crashWith;
    volatile int failAfter = -1; // fail once this many series were pulled
    volatile boolean tellsNameLists; // answer labelNameLists() as a block does
    private final SourceInfo info;

    FakeChunkSource(SourceInfo info) {
        this.info = info;
    }

    FakeChunkSource(Labels externalLabels) {
        this(SourceInfo.of("sidecar", externalLabels, 0, 1_000_000));
    }

    FakeChunkSource add(Labels labels, EncodedChunk... chunks) {
        series.put(labels, List.of(chunks));
        return this;
    }

    /** Opaque chunk bytes with a valid 2-byte sample count header, never decoded. */
    static EncodedChunk xor(long minTime, long maxTime, int samples, int tag) {
        byte[] bytes = withSampleCount(samples, 4);
        bytes[2] = (byte) tag;
        bytes[3] = 0x55;
        return new EncodedChunk(minTime, maxTime, 1, bytes);
    }

    /** Like {@link #xor} but {@code size} bytes long, for answers that must be large on the wire. */
    static EncodedChunk opaque(long minTime, long maxTime, int samples, int size) {
        return new EncodedChunk(minTime, maxTime, 1, withSampleCount(samples, size));
    }

    private static byte[] withSampleCount(int samples, int size) {
        byte[] bytes = new byte[size];
        bytes[0] = (byte) (samples >> 8);
        bytes[1] = (byte) samples;
        return bytes;
    }

    /** A real XOR chunk: {@code samples} samples evenly spread over [minTime, maxTime], values start, start+1, ... */
    static EncodedChunk realXor(long minTime, long maxTime, int samples, double start) {
        XorChunkAppender appender = new XorChunkAppender();
        long step = samples > 1 ? (maxTime - minTime) / (samples - 1) : 0;
        for (int i = 0; i < samples; i++) {
            appender.append(minTime + i * step, start + i);
        }
        return new EncodedChunk(appender.minTime(), appender.maxTime(), 1, appender.toByteArray());
    }

    @Override
    public SourceInfo info() {
        return info;
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        lastQuery = query;
        if (failWith != null && failAfter < 0) {
            throw failWith;
        }
        if (crashWith != null) {
            throw crashWith;
        }
        List<Map.Entry<Labels, List<EncodedChunk>>> matching = new ArrayList<>();
        for (var entry : series.entrySet()) {
            if (query.matchers().stream().allMatch(m -> m.matches(entry.getKey()))) {
                matching.add(entry);
            }
        }
        return new Cursor(matching);
    }

    @Override
    public List<String> labelNames(LabelQuery query) {
        TreeSet<String> names = new TreeSet<>();
        series.keySet().stream().filter(l -> matches(l, query.matchers())).forEach(l -> names.addAll(l.names()));
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) {
        TreeSet<String> values = new TreeSet<>();
        series.keySet().stream().filter(l -> matches(l, query.matchers()) && l.has(name)).forEach(l -> values.add(l.get(name)));
        return List.copyOf(values);
    }

    private static boolean matches(Labels labels, List<LabelMatcher> matchers) {
        return matchers.stream().allMatch(m -> m.matches(labels));
    }

    private final class Cursor implements ChunkSeriesSet, AutoCloseable {
        private final List<Map.Entry<Labels, List<EncodedChunk>>> entries;
        private int index = -1;

        Cursor(List<Map.Entry<Labels, List<EncodedChunk>>> entries) {
            this.entries = entries;
        }

        @Override
        public boolean next() throws StorageException {
            if (failWith != null && failAfter >= 0 && pulled.get() >= failAfter) {
                throw failWith;
            }
            if (index + 1 >= entries.size()) {
                return false;
            }
            index++;
            pulled.incrementAndGet();
            return true;
        }

        @Override
        public Set<List<String>> labelNameLists() {
            if (!tellsNameLists) {
                return null;
            }
            Set<List<String>> lists = new HashSet<>();
            entries.forEach(entry -> lists.add(entry.getKey().names()));
            return lists;
        }

        @Override
        public Labels labels() {
            return entries.get(index).getKey();
        }

        @Override
        public List<EncodedChunk> chunks() {
            return entries.get(index).getValue();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }
}
