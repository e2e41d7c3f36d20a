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
            HistogramDownsampling histograms = new HistogramDownsampling();
            long totalSeries = Math.max(1, meta.stats().numSeries());
            try (BlockWriter writer = BlockWriter.create(outputParent, meta.minTime(), meta.maxTime(), options)) {
                ChunkSeriesSet series = block.selectChunks(Long.MIN_VALUE, Long.MAX_VALUE, List.of());
                long done = 0;
                long samples = 0;
                while (series.next()) {
                    List<EncodedChunk> chunks = series.chunks();
                    for (EncodedChunk chunk : chunks) {
                        samples += BlockCompactor.headerSampleCount(chunk);
                    }
                    List<EncodedChunk> downsampled = inRes == Downsampling.RES_RAW
                            ? downsampleRaw(meta, series, chunks, resolution, downsampling, histograms)
                            : downsampleAggregated(meta, series, chunks, inRes, resolution, downsampling, histograms);
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

    /**
     * A raw series: runs of float chunks and runs of histogram chunks are downsampled apart (Thanos cuts where the
     * sample type changes), floats into five float aggregates, histograms into count, sum and counter.
     */
    private static List<EncodedChunk> downsampleRaw(BlockMeta meta, ChunkSeriesSet series, List<EncodedChunk> chunks,
                                                    long resolution, Downsampling floats, HistogramDownsampling histograms)
            throws StorageException {
        List<EncodedChunk> out = new ArrayList<>();
        int start = 0;
        while (start < chunks.size()) {
            boolean histogramRun = HistogramDownsampling.isHistogramChunk(chunks.get(start));
            int end = start;
            floats.clear();
            histograms.clear();
            while (end < chunks.size() && HistogramDownsampling.isHistogramChunk(chunks.get(end)) == histogramRun) {
                EncodedChunk chunk = chunks.get(end++);
                if (histogramRun) {
                    histograms.expand(chunk);
                } else if (chunk.encoding() == ChunkEncoding.XOR.code()) {
                    floats.expand(chunk.data());
                } else {
                    throw new IllegalStateException("raw block " + meta.ulid() + " holds a chunk of encoding " + chunk.encoding()
                            + " in series " + series.labels());
                }
            }
            out.addAll(histogramRun ? histograms.downsampleRaw(resolution) : floats.downsampleRaw(resolution));
            start = end;
        }
        return out;
    }

    /**
     * A downsampled series: raw chunks in it are aggregated to 5m first (Thanos does the same), then each run of float
     * aggregates and of histogram aggregates is re-aggregated along its chunk boundaries.
     */
    private static List<EncodedChunk> downsampleAggregated(BlockMeta meta, ChunkSeriesSet series, List<EncodedChunk> chunks,
                                                           long inRes, long resolution, Downsampling floats,
                                                           HistogramDownsampling histograms) throws StorageException {
        List<EncodedChunk> aggregates = new ArrayList<>(chunks.size());
        for (EncodedChunk chunk : chunks) {
            if (chunk.encoding() == ChunkEncoding.AGGREGATE.code()) {
                aggregates.add(chunk);
            } else if (chunk.encoding() == ChunkEncoding.XOR.code()) {
                floats.clear();
                floats.expand(chunk.data());
                aggregates.addAll(floats.downsampleRaw(Downsampling.RES_5M));
            } else if (HistogramDownsampling.isHistogramChunk(chunk)) {
                histograms.clear();
                histograms.expand(chunk);
                aggregates.addAll(histograms.downsampleRaw(Downsampling.RES_5M));
            } else {
                throw new IllegalStateException("downsampled block " + meta.ulid() + " holds a chunk of encoding "
                        + chunk.encoding() + " in series " + series.labels());
            }
        }
        List<EncodedChunk> out = new ArrayList<>();
        int start = 0;
        while (start < aggregates.size()) {
            boolean histogramRun = HistogramDownsampling.isHistogramAggregate(AggregateChunk.decode(aggregates.get(start).data()));
            List<AggregateChunk> run = new ArrayList<>();
            int end = start;
            while (end < aggregates.size()) {
                AggregateChunk decoded = AggregateChunk.decode(aggregates.get(end).data());
                if (HistogramDownsampling.isHistogramAggregate(decoded) != histogramRun) {
                    break;
                }
                run.add(decoded);
                end++;
            }
            long mint = aggregates.get(start).minTime();
            long maxt = aggregates.get(end - 1).maxTime();
            out.addAll(histogramRun ? histograms.downsampleAggregates(run, mint, maxt, inRes, resolution, floats)
                    : floats.downsampleAggregates(run, mint, maxt, inRes, resolution));
            start = end;
        }
        return out;
    }
}
