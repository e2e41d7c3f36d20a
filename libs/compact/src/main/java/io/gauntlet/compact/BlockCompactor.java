package io.gauntlet.compact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.store.ChunksSampleIterator;
import io.gauntlet.store.PenaltyDeduplicator;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.HistogramChunkCutter;
import io.gauntlet.tsdb.chunks.SeriesChunkCutter;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compacts local blocks of one group into one new block, streaming: the sources' series are merged in index order one
 * series at a time, so the heap holds one series' chunks per source, never a whole block. Chunks of a series that do
 * not overlap are passed through untouched (no decoding); overlapping ones (vertical compaction) are decoded and merged
 * — penalty deduplication between HA replicas (blocks whose full external labels differ) or chain merge — then cut
 * into new chunks. The new block has level max+1, the union of the sources' sources, every source as a parent, and
 * the group's labels (replica labels dropped).
 */
public final class BlockCompactor {
    private static final int PROGRESS_EVERY_SERIES = 4096;

    /** The compacted block, still local. */
    public record Result(BlockMeta meta, Path directory) {
    }

    private BlockCompactor() {
    }

    /**
     * @param sources      local block directories of one group
     * @param outputParent where the new block is written ({@code <outputParent>/<ULID>})
     * @param groupLabels  the output's external labels
     * @param deduplication how to merge overlapping blocks; {@link Deduplication#NONE} fails on an overlap
     */
    public static Result compact(List<Path> sources, Path outputParent, Map<String, String> groupLabels, Deduplication deduplication,
                                 CompactionProgress progress) throws IOException, StorageException {
        if (sources.size() < 2) {
            throw new IllegalArgumentException("compaction needs at least two blocks, got " + sources.size());
        }
        List<BlockReader> readers = new ArrayList<>(sources.size());
        try {
            for (Path source : sources) {
                readers.add(BlockReader.open(source));
            }
            readers.sort(Comparator.comparing(BlockReader::meta, CompactionPlanner.BY_MIN_TIME));
            return compactOpen(readers, outputParent, groupLabels, deduplication, progress);
        } finally {
            readers.forEach(BlockReader::close);
        }
    }

    private static Result compactOpen(List<BlockReader> readers, Path outputParent, Map<String, String> groupLabels, Deduplication deduplication,
                                      CompactionProgress progress) throws IOException, StorageException {
        List<BlockMeta> metas = readers.stream().map(BlockReader::meta).toList();
        long resolution = BlockGrouping.resolution(metas.getFirst());
        for (BlockMeta meta : metas) {
            if (BlockGrouping.resolution(meta) != resolution) {
                throw new IllegalArgumentException("blocks of different resolutions cannot be compacted together: " + metas.getFirst().ulid()
                        + " has " + resolution + ", " + meta.ulid() + " has " + BlockGrouping.resolution(meta));
            }
        }
        List<BlockMeta> overlapping = CompactionPlanner.overlapping(metas);
        boolean vertical = !overlapping.isEmpty();
        if (vertical && deduplication == Deduplication.NONE) {
            throw new OverlappingBlocksException(io.gauntlet.events.CompactionGroupKey.of(resolution, groupLabels), overlapping);
        }
        long minTime = metas.stream().mapToLong(BlockMeta::minTime).min().orElseThrow();
        long maxTime = metas.stream().mapToLong(BlockMeta::maxTime).max().orElseThrow();
        int level = metas.stream().mapToInt(meta -> meta.compaction().level()).max().orElseThrow() + 1;
        TreeSet<Ulid> allSources = new TreeSet<>();
        List<BlockMeta.BlockDesc> parents = new ArrayList<>();
        long totalSeries = 0;
        for (BlockMeta meta : metas) {
            allSources.addAll(BlockGrouping.sourcesOf(meta));
            parents.add(BlockMeta.BlockDesc.of(meta.ulid(), meta.minTime(), meta.maxTime()));
            totalSeries += Math.max(1, meta.stats().numSeries());
        }
        // each distinct set of full external labels is one replica
        Map<Map<String, String>, Integer> replicaIds = new LinkedHashMap<>();
        int[] replicaOf = new int[metas.size()];
        for (int i = 0; i < metas.size(); i++) {
            Map<String, String> labels = metas.get(i).thanos() == null ? Map.of() : metas.get(i).thanos().labels();
            replicaOf[i] = replicaIds.computeIfAbsent(labels, key -> replicaIds.size());
        }
        BlockMeta.Thanos thanos = BlockMeta.Thanos.of(groupLabels, resolution, "compactor").withExtensions(commonExtensions(metas));
        BlockWriter.Options options = BlockWriter.Options.defaults()
                .withCompaction(BlockMeta.Compaction.of(level, List.copyOf(allSources), parents))
                .withThanos(thanos);
        try (BlockWriter writer = BlockWriter.create(outputParent, minTime, maxTime, options)) {
            SeriesMerge merge = new SeriesMerge(readers, minTime, maxTime, replicaOf, replicaIds.size(), deduplication, vertical, writer);
            long series = 0;
            while (merge.next()) {
                if (++series % PROGRESS_EVERY_SERIES == 0) {
                    progress.report(Math.min(1.0, (double) series / totalSeries), merge.samples);
                }
            }
            BlockMeta meta = writer.commit();
            progress.report(1.0, meta.stats().numSamples());
            return new Result(meta, writer.directory());
        }
    }

    /**
     * The {@code thanos.extensions} a compacted block keeps: the keys every source block has (each with the oldest
     * source's value); none when a source has none. A non-object value is kept only when every source has the same.
     */
    static JsonNode commonExtensions(List<BlockMeta> metas) {
        JsonNode first = null;
        for (BlockMeta meta : metas) {
            JsonNode extensions = meta.thanos() == null ? null : meta.thanos().extensions();
            if (extensions == null) {
                return null;
            }
            if (first == null) {
                first = extensions;
            } else if (first.isObject() != extensions.isObject() || (!first.isObject() && !first.equals(extensions))) {
                return null;
            }
        }
        if (first == null || !first.isObject()) {
            return first;
        }
        ObjectNode common = first.deepCopy();
        for (BlockMeta meta : metas) {
            List<String> names = new ArrayList<>();
            meta.thanos().extensions().properties().forEach(field -> names.add(field.getKey()));
            common.retain(names);
        }
        return common.isEmpty() ? null : common;
    }

    /** The k-way merge of the sources' series, writing each merged series as it completes. */
    private static final class SeriesMerge {
        private final ChunkSeriesSet[] sets;
        private final boolean[] has;
        private final int[] replicaOf;
        private final int replicas;
        private final Deduplication deduplication;
        private final boolean vertical;
        private final BlockWriter writer;
        private final List<List<EncodedChunk>> perSource;
        private long[] timestamps = new long[1024];
        private double[] values = new double[1024];
        long samples;

        SeriesMerge(List<BlockReader> readers, long minTime, long maxTime, int[] replicaOf, int replicas, Deduplication deduplication,
                    boolean vertical, BlockWriter writer) throws StorageException {
            this.sets = new ChunkSeriesSet[readers.size()];
            this.has = new boolean[readers.size()];
            for (int i = 0; i < sets.length; i++) {
                sets[i] = readers.get(i).selectChunks(minTime, maxTime - 1, List.of());
                has[i] = sets[i].next();
            }
            this.replicaOf = replicaOf;
            this.replicas = replicas;
            this.deduplication = deduplication;
            this.vertical = vertical;
            this.writer = writer;
            this.perSource = new ArrayList<>(sets.length);
            for (int i = 0; i < sets.length; i++) {
                perSource.add(null);
            }
        }

        boolean next() throws IOException, StorageException {
            Labels smallest = null;
            for (int i = 0; i < sets.length; i++) {
                if (has[i] && (smallest == null || Utf8Order.compare(sets[i].labels(), smallest) < 0)) {
                    smallest = sets[i].labels();
                }
            }
            if (smallest == null) {
                return false;
            }
            int present = 0;
            for (int i = 0; i < sets.length; i++) {
                if (has[i] && Utf8Order.compare(sets[i].labels(), smallest) == 0) {
                    perSource.set(i, sets[i].chunks());
                    present++;
                } else {
                    perSource.set(i, null);
                }
            }
            write(smallest, present);
            for (int i = 0; i < sets.length; i++) {
                if (perSource.get(i) != null) {
                    has[i] = sets[i].next();
                }
            }
            return true;
        }

        private void write(Labels labels, int present) throws IOException, StorageException {
            List<EncodedChunk> all = new ArrayList<>();
            boolean[] replicaSeen = new boolean[replicas];
            int replicasPresent = 0;
            for (int i = 0; i < sets.length; i++) {
                List<EncodedChunk> chunks = perSource.get(i);
                if (chunks != null) {
                    all.addAll(chunks);
                    if (!replicaSeen[replicaOf[i]]) {
                        replicaSeen[replicaOf[i]] = true;
                        replicasPresent++;
                    }
                }
            }
            if (present > 1) {
                all.sort(Comparator.comparingLong(EncodedChunk::minTime));
            }
            boolean needsMerge = vertical && deduplication == Deduplication.PENALTY && replicasPresent > 1;
            for (int i = 1; i < all.size() && !needsMerge; i++) {
                needsMerge = all.get(i).minTime() <= all.get(i - 1).maxTime();
            }
            if (!needsMerge) {
                for (EncodedChunk chunk : all) {
                    samples += headerSampleCount(chunk);
                }
                writer.addSeries(labels, all);
                return;
            }
            boolean floatsOnly = true;
            for (EncodedChunk chunk : all) {
                if (chunk.encoding() == ChunkEncoding.AGGREGATE.code()) {
                    throw new IllegalStateException("series " + labels + " has overlapping downsampled chunks: only raw chunks"
                            + " can be merged vertically");
                }
                floatsOnly &= chunk.encoding() == ChunkEncoding.XOR.code();
            }
            SampleIterator merged = mergedSamples();
            if (!floatsOnly) {
                writeWithHistograms(labels, merged);
                return;
            }
            int count = 0;
            while (merged.next()) {
                if (count == timestamps.length) {
                    timestamps = Arrays.copyOf(timestamps, 2 * count);
                    values = Arrays.copyOf(values, 2 * count);
                }
                timestamps[count] = merged.timestamp();
                values[count] = merged.value();
                count++;
            }
            samples += count;
            writer.addSeries(labels, timestamps, values, count);
        }

        /**
         * A merged series holding native histograms: re-cut as the Prometheus head cuts (integer histograms stay
         * integer chunks, float histograms float histogram chunks, floats XOR).
         */
        private void writeWithHistograms(Labels labels, SampleIterator merged) throws IOException, StorageException {
            List<EncodedChunk> chunks = new ArrayList<>();
            HistogramChunkCutter cutter = new HistogramChunkCutter(SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                    (encoding, minTime, maxTime, count, data) -> chunks.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
            while (merged.next()) {
                switch (merged.sampleType()) {
                    case FLOAT -> cutter.appendFloat(merged.timestamp(), merged.value());
                    case HISTOGRAM -> cutter.appendHistogram(merged.timestamp(), merged.histogram());
                    case FLOAT_HISTOGRAM -> cutter.appendFloatHistogram(merged.timestamp(), merged.floatHistogram().copy());
                }
                samples++;
            }
            cutter.finish();
            writer.addSeries(labels, chunks);
        }

        /** One chain-merged iterator per replica, then penalty deduplication (or chain merge) across replicas. */
        private SampleIterator mergedSamples() {
            List<SampleIterator> byReplica = new ArrayList<>();
            for (int replica = 0; replica < replicas; replica++) {
                List<SampleIterator> blocks = new ArrayList<>();
                for (int i = 0; i < sets.length; i++) {
                    if (replicaOf[i] == replica && perSource.get(i) != null) {
                        blocks.add(new ChunksSampleIterator(perSource.get(i), null));
                    }
                }
                if (!blocks.isEmpty()) {
                    byReplica.add(blocks.size() == 1 ? blocks.getFirst() : new ChainSampleIterator(blocks));
                }
            }
            if (byReplica.size() == 1) {
                return byReplica.getFirst();
            }
            return deduplication == Deduplication.PENALTY ? PenaltyDeduplicator.of(byReplica, false) : new ChainSampleIterator(byReplica);
        }
    }

    /** Samples in an XOR or histogram chunk, from its 2-byte header (aggregate chunks count as their own windows elsewhere). */
    static int headerSampleCount(EncodedChunk chunk) {
        byte[] data = chunk.data();
        if (chunk.encoding() == ChunkEncoding.AGGREGATE.code() || data.length < 2) {
            return 0;
        }
        return ((data[0] & 0xFF) << 8) | (data[1] & 0xFF);
    }
}
