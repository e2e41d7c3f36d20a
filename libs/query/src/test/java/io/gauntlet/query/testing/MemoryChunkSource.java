package io.gauntlet.query.testing;

import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A StoreAPI source over samples held in memory, cut into XOR chunks of 120 samples as Prometheus' head cuts them.
 * Stand-in for a sidecar or store gateway in querier tests: series carry their own labels, the adapter adds the
 * external labels.
 */
public final class MemoryChunkSource implements ChunkSource {
    private final String componentType;
    private final Labels externalLabels;
    private final TreeMap<Labels, List<EncodedChunk>> series = new TreeMap<>();
    /** label name → value → series carrying it: equality matchers select from the smallest list, as TSDB postings do. */
    private final Map<String, Map<String, TreeMap<Labels, List<EncodedChunk>>>> postings = new HashMap<>();
    private long minTime = Long.MAX_VALUE;
    private long maxTime = Long.MIN_VALUE;

    public MemoryChunkSource(String componentType, Labels externalLabels) {
        this.componentType = componentType;
        this.externalLabels = externalLabels;
    }

    /** Adds one series; timestamps ascending. */
    public synchronized MemoryChunkSource add(Labels labels, long[] timestamps, double[] values) {
        List<EncodedChunk> chunks = new ArrayList<>();
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < timestamps.length; i++) {
            appender.append(timestamps[i], values[i]);
            if (appender.sampleCount() == 120 || i == timestamps.length - 1) {
                chunks.add(new EncodedChunk(appender.minTime(), appender.maxTime(), 1, appender.toByteArray()));
                appender = new XorChunkAppender();
            }
        }
        if (timestamps.length > 0) {
            minTime = Math.min(minTime, timestamps[0]);
            maxTime = Math.max(maxTime, timestamps[timestamps.length - 1]);
        }
        series.put(labels, chunks);
        for (int i = 0; i < labels.size(); i++) {
            postings.computeIfAbsent(labels.name(i), k -> new HashMap<>()).computeIfAbsent(labels.value(i), k -> new TreeMap<>())
                    .put(labels, chunks);
        }
        return this;
    }

    @Override
    public synchronized SourceInfo info() {
        return SourceInfo.of(componentType, externalLabels, minTime == Long.MAX_VALUE ? 0 : minTime, maxTime == Long.MIN_VALUE ? 0 : maxTime);
    }

    @Override
    public synchronized ChunkSeriesSet series(StoreQuery query) throws StorageException {
        List<Map.Entry<Labels, List<EncodedChunk>>> matching = new ArrayList<>();
        for (var entry : candidates(query.matchers()).entrySet()) {
            Labels labels = entry.getKey();
            if (!matchesAll(labels, query.matchers())) {
                continue;
            }
            List<EncodedChunk> chunks = new ArrayList<>();
            for (EncodedChunk chunk : entry.getValue()) {
                if (chunk.maxTime() >= query.minTime() && chunk.minTime() <= query.maxTime()) {
                    chunks.add(chunk);
                }
            }
            if (!chunks.isEmpty()) {
                matching.add(Map.entry(labels, query.skipChunks() ? List.of() : chunks));
            }
        }
        Iterator<Map.Entry<Labels, List<EncodedChunk>>> iterator = matching.iterator();
        return new ChunkSeriesSet() {
            private Map.Entry<Labels, List<EncodedChunk>> current;

            @Override
            public boolean next() {
                current = iterator.hasNext() ? iterator.next() : null;
                return current != null;
            }

            @Override
            public Labels labels() {
                return current.getKey();
            }

            @Override
            public List<EncodedChunk> chunks() {
                return current.getValue();
            }
        };
    }

    /** The series of the smallest postings list among the equality matchers, in label order; all series without one. */
    private TreeMap<Labels, List<EncodedChunk>> candidates(List<LabelMatcher> matchers) {
        TreeMap<Labels, List<EncodedChunk>> smallest = series;
        for (LabelMatcher matcher : matchers) {
            if (matcher.type() == LabelMatcher.Type.EQUAL && !matcher.value().isEmpty()) {
                TreeMap<Labels, List<EncodedChunk>> list = postings.getOrDefault(matcher.name(), Map.of()).get(matcher.value());
                if (list == null) {
                    return new TreeMap<>();
                }
                if (list.size() < smallest.size()) {
                    smallest = list;
                }
            }
        }
        return smallest;
    }

    private static boolean matchesAll(Labels labels, List<LabelMatcher> matchers) {
        for (LabelMatcher matcher : matchers) {
            if (!matcher.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    private synchronized List<Labels> inRange(LabelQuery query) {
        List<Labels> out = new ArrayList<>();
        for (var entry : series.entrySet()) {
            if (!matchesAll(entry.getKey(), query.matchers())) {
                continue;
            }
            for (EncodedChunk chunk : entry.getValue()) {
                if (chunk.maxTime() >= query.start() && chunk.minTime() <= query.end()) {
                    out.add(entry.getKey());
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public List<String> labelNames(LabelQuery query) {
        TreeSet<String> names = new TreeSet<>();
        for (Labels labels : inRange(query)) {
            names.addAll(labels.names());
        }
        return new ArrayList<>(names);
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) {
        TreeSet<String> values = new TreeSet<>();
        for (Labels labels : inRange(query)) {
            if (labels.has(name)) {
                values.add(labels.get(name));
            }
        }
        return new ArrayList<>(values);
    }
}
