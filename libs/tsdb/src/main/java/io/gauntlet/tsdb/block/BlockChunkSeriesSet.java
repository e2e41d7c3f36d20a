package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.ChunkEncoding;
import io.gauntlet.tsdb.chunks.StoredChunk;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;

/**
 * The series a {@link BlockReader#selectChunks} selects with their chunks as stored (CRC-checked, copied to the heap
 * untouched). A chunk with tombstoned samples is re-encoded without them (XOR into one chunk, histogram chunks cut again
 * as the Prometheus head cuts; aggregate chunks pass as stored).
 */
final class BlockChunkSeriesSet implements ChunkSeriesSet {
    private final SelectedSeriesWalk walk;
    private final XorSampleIterator samples = new XorSampleIterator();
    private final XorChunkAppender appender = new XorChunkAppender();
    private final io.gauntlet.tsdb.chunks.ChunkDecoders decoders = new io.gauntlet.tsdb.chunks.ChunkDecoders();
    private Labels labels;
    private List<EncodedChunk> chunks = List.of();

    BlockChunkSeriesSet(BlockReader block, Postings postings, long mint, long maxt) {
        this.walk = new SelectedSeriesWalk(block, postings, mint, maxt);
    }

    @Override
    public boolean next() throws StorageException {
        while (walk.next()) {
            List<EncodedChunk> selected = new ArrayList<>(walk.chunkCount);
            for (int i = 0; i < walk.chunkCount; i++) {
                StoredChunk chunk = walk.block.chunks().chunk(walk.refs[i]);
                long minTime = walk.minTimes[i];
                long maxTime = walk.maxTimes[i];
                if (chunk.encoding() == ChunkEncoding.XOR && walk.deleted.overlaps(minTime, maxTime)) {
                    EncodedChunk kept = withoutDeleted(chunk);
                    if (kept != null) {
                        selected.add(kept);
                    }
                } else if (chunk.encoding() != ChunkEncoding.AGGREGATE && walk.deleted.overlaps(minTime, maxTime)) {
                    selected.addAll(histogramsWithoutDeleted(chunk));
                } else {
                    selected.add(new EncodedChunk(minTime, maxTime, chunk.encoding().code(), chunk.toByteArray()));
                }
            }
            if (!selected.isEmpty()) {
                labels = walk.labels;
                chunks = List.copyOf(selected);
                return true;
            }
        }
        labels = null;
        chunks = List.of();
        return false;
    }

    private EncodedChunk withoutDeleted(StoredChunk chunk) throws StorageException {
        chunk.samples(samples);
        appender.reset();
        while (samples.next()) {
            if (!walk.deleted.contains(samples.timestamp())) {
                appender.append(samples.timestamp(), samples.value());
            }
        }
        if (appender.sampleCount() == 0) {
            return null;
        }
        return new EncodedChunk(appender.minTime(), appender.maxTime(), ChunkEncoding.XOR.code(), appender.toByteArray());
    }

    private List<EncodedChunk> histogramsWithoutDeleted(StoredChunk chunk) throws StorageException {
        List<EncodedChunk> kept = new ArrayList<>(1);
        io.gauntlet.tsdb.chunks.HistogramChunkCutter cutter = new io.gauntlet.tsdb.chunks.HistogramChunkCutter(
                io.gauntlet.tsdb.chunks.SeriesChunkCutter.DEFAULT_CHUNK_RANGE,
                (encoding, minTime, maxTime, count, data) -> kept.add(new EncodedChunk(minTime, maxTime, encoding.code(), data)));
        io.gauntlet.tsdb.storage.SampleIterator samples = chunk.decode(decoders);
        try {
            while (samples.next()) {
                long t = samples.timestamp();
                if (walk.deleted.contains(t)) {
                    continue;
                }
                if (samples.sampleType() == io.gauntlet.tsdb.storage.SampleType.HISTOGRAM) {
                    cutter.appendHistogram(t, samples.histogram());
                } else {
                    cutter.appendFloatHistogram(t, samples.floatHistogram().copy());
                }
            }
            cutter.finish();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("collecting chunks in a list does no I/O", e);
        }
        return kept;
    }

    @Override
    public Labels labels() {
        if (labels == null) {
            throw new IllegalStateException("no current series: call next() first");
        }
        return labels;
    }

    @Override
    public List<EncodedChunk> chunks() {
        return chunks;
    }
}
