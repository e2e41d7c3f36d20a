package io.gauntlet.compact;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which blocks to downsample and writes the downsampled block (Thanos' {@code downsampleBucket} and
 * {@code Downsample}): a raw block once it spans 40h and some of its sources are in no 5m block yet; a 5m block once it
 * spans 10d and some of its sources are in no 1h block. The new block keeps the source's time range and compaction
 * section, with the new resolution and source {@code compactor}. One series at a time; the source block is read
 * through its memory-mapped files.
 */
public final class Downsampler {
    private static final int PROGRESS_EVERY_SERIES = 4096;

    /** The next resolution: raw to 5m, 5m to 1h. */
    public static long targetResolution(long resolution) {
        if (resolution == Downsampling.RES_RAW) {
            return Downsampling.RES_5M;
        }
        if (resolution == Downsampling.RES_5M) {
            return Downsampling.RES_1H;
        }
        throw new IllegalArgumentException("blocks of resolution " + resolution + " ms are not downsampled further");
    }

    /**
     * The group's blocks due for downsampling, judged against the bucket's blocks of the next resolution; a block with
     * {@code no-downsample-mark.json} never is.
     */
    List<BlockMeta> due(List<BlockMeta> blocks, CompactionGroup group, BlockGrouping grouping, BucketScan.Snapshot snapshot) {
        if (group.resolution() == Downsampling.RES_1H) {
            return List.of();
        }
        long target = targetResolution(group.resolution());
        long minimumSpan = group.resolution() == Downsampling.RES_RAW ? Downsampling.RAW_DOWNSAMPLE_RANGE : Downsampling.FIVE_MINUTE_DOWNSAMPLE_RANGE;
        Set<Ulid> covered = new HashSet<>();
        for (BlockMeta meta : snapshot.metas().values()) {
            if (BlockGrouping.resolution(meta) == target && !snapshot.deletionMarks().containsKey(meta.ulid())
                    && grouping.groupLabels(meta).equals(group.labels())) {
                covered.addAll(BlockGrouping.sourcesOf(meta));
            }
        }
        List<BlockMeta> due = new ArrayList<>();
        for (BlockMeta block : blocks) {
            if (block.maxTime() - block.minTime() >= minimumSpan && !covered.containsAll(BlockGrouping.sourcesOf(block))
                    && !snapshot.noDownsampleMarks().containsKey(block.ulid())) {
                due.add(block);
            }
        }
        return due;
    }

    private static boolean holdsHistograms(List<EncodedChunk> chunks) {
        for (EncodedChunk chunk : chunks) {
            if (chunk.encoding() == ChunkEncoding.HISTOGRAM.code() || chunk.encoding() == ChunkEncoding.FLOAT_HISTOGRAM.code()) {
                return true;
            }
        }
        return false;
    }

    /** Writes the downsampled block of {@code source} into {@code outputParent}. */
    public BlockCompactor.Result downsample(Path source, Path outputParent, long resolution, CompactionProgress progress)
            throws IOException, StorageException {
        try (BlockReader block = BlockReader.open(source)) {
            BlockMeta meta = block.meta();
            long inRes = BlockGrouping.resolution(meta);
            if (inRes >= resolution) {
                throw new IllegalArgumentException("block " + meta.ulid() + " has resolution " + inRes + " ms, not below the target " + resolution);
            }
            // a new block as Thanos writes it: the source's labels and extensions, the new resolution (files, segment files and
            // index stats come from the writer)
            BlockMeta.Thanos thanos = BlockMeta.Thanos.of(meta.thanos() == null ? java.util.Map.of() : meta.thanos().labels(), resolution,
                    "compactor").withExtensions(meta.thanos() == null ? null : meta.thanos().extensions());
            BlockWriter.Options options = BlockWriter.Options.defaults().withCompaction(meta.compaction()).withThanos(thanos);
            Downsampling downsampling = new Downsampling();
            long totalSeries = Math.max(1, meta.stats().numSeries());
            try (BlockWriter writer = BlockWriter.create(outputParent, meta.minTime(), meta.maxTime(), options)) {
                ChunkSeriesSet series = block.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                long done = 0;
                long samples = 0;
                while (series.next()) {
                    List<EncodedChunk> chunks = series.chunks();
                    List<EncodedChunk> downsampled;
                    if (holdsHistograms(chunks)) {
                        // native histogram series are kept raw at every resolution (correct answers, no reduction): the
                        // Thanos aggregate (count XOR, sum and counter float histograms) is not written yet
                        downsampled = chunks;
                        for (EncodedChunk chunk : chunks) {
                            samples += BlockCompactor.headerSampleCount(chunk);
                        }
                    } else if (inRes == Downsampling.RES_RAW) {
                        downsampling.clear();
                        for (EncodedChunk chunk : chunks) {
                            if (chunk.encoding() != ChunkEncoding.XOR.code()) {
                                throw new IllegalStateException("raw block " + meta.ulid() + " holds a chunk of encoding " + chunk.encoding()
                                        + " in series " + series.labels());
                            }
                            downsampling.expand(chunk.data());
                            samples += BlockCompactor.headerSampleCount(chunk);
                        }
                        downsampled = downsampling.downsampleRaw(resolution);
                    } else {
                        List<AggregateChunk> aggregates = new ArrayList<>(chunks.size());
                        for (EncodedChunk chunk : chunks) {
                            if (chunk.encoding() == ChunkEncoding.AGGREGATE.code()) {
                                aggregates.add(AggregateChunk.decode(chunk.data()));
                            } else if (chunk.encoding() == ChunkEncoding.XOR.code()) {
                                // a raw chunk in a downsampled block: aggregate it to 5m first (Thanos does the same)
                                downsampling.clear();
                                downsampling.expand(chunk.data());
                                for (EncodedChunk converted : downsampling.downsampleRaw(Downsampling.RES_5M)) {
                                    aggregates.add(AggregateChunk.decode(converted.data()));
                                }
                            } else {
                                throw new IllegalStateException("downsampled block " + meta.ulid() + " holds a chunk of encoding "
                                        + chunk.encoding() + " in series " + series.labels());
                            }
                        }
                        downsampled = aggregates.isEmpty() ? List.of()
                                : downsampling.downsampleAggregates(aggregates, chunks.getFirst().minTime(), chunks.getLast().maxTime(), inRes, resolution);
                    }
                    writer.addSeries(series.labels(), downsampled);
                    if (++done % PROGRESS_EVERY_SERIES == 0) {
                        progress.report(Math.min(1.0, (double) done / totalSeries), samples);
                    }
                }
                BlockMeta written = writer.commit();
                progress.report(1.0, samples);
                return new BlockCompactor.Result(written, writer.directory());
            }
        }
    }
}
