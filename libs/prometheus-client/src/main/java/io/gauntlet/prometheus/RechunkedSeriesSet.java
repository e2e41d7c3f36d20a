package io.gauntlet.prometheus;

import io.gauntlet.proto.prometheus.Label;
import io.gauntlet.proto.prometheus.QueryResult;
import io.gauntlet.proto.prometheus.Sample;
import io.gauntlet.proto.prometheus.TimeSeries;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A {@code SAMPLES} remote read answer (older Prometheus servers) as XOR chunks of at most
 * {@value #SAMPLES_PER_CHUNK} samples (series with native histograms: histogram chunks cut as the Prometheus head
 * cuts them), series sorted by their labels (Prometheus does not sort this answer) with the
 * named external labels stripped. The answer is one message, so it is in memory anyway.
 */
final class RechunkedSeriesSet implements ChunkSeriesSet {
    /** Prometheus' head cuts XOR chunks at 120 samples. */
    static final int SAMPLES_PER_CHUNK = 120;
    private static final int TSDB_XOR = 1;

    private final List<Labels> labels;
    private final List<List<EncodedChunk>> chunks;
    private int index = -1;

    private RechunkedSeriesSet(List<Labels> labels, List<List<EncodedChunk>> chunks) {
        this.labels = labels;
        this.chunks = chunks;
    }

    static RechunkedSeriesSet of(QueryResult result, String prometheus, Set<String> strippedLabels) throws StorageException {
        record Converted(Labels labels, List<EncodedChunk> chunks) {
        }
        List<Converted> series = new ArrayList<>(result.getTimeseriesCount());
        XorChunkAppender appender = new XorChunkAppender();
        for (TimeSeries timeSeries : result.getTimeseriesList()) {
            Labels.Builder builder = Labels.builder();
            for (Label label : timeSeries.getLabelsList()) {
                if (!strippedLabels.contains(label.getName())) {
                    builder.set(label.getName(), label.getValue());
                }
            }
            Labels seriesLabels = builder.build();
            if (timeSeries.getHistogramsCount() > 0) {
                series.add(new Converted(seriesLabels, PrompbHistograms.chunks(timeSeries, prometheus, seriesLabels)));
                continue;
            }
            List<EncodedChunk> seriesChunks = new ArrayList<>(timeSeries.getSamplesCount() / SAMPLES_PER_CHUNK + 1);
            appender.reset();
            long previous = 0;
            boolean first = true;
            for (Sample sample : timeSeries.getSamplesList()) {
                long timestamp = sample.getTimestamp();
                if (!first && timestamp <= previous) {
                    throw new StorageException("prometheus " + prometheus + ": SAMPLES answer for " + seriesLabels
                            + " is out of order at " + timestamp + " (after " + previous + ")");
                }
                previous = timestamp;
                first = false;
                appender.append(timestamp, sample.getValue());
                if (appender.sampleCount() == SAMPLES_PER_CHUNK) {
                    seriesChunks.add(new EncodedChunk(appender.minTime(), appender.maxTime(), TSDB_XOR, appender.toByteArray()));
                    appender.reset();
                }
            }
            if (appender.sampleCount() > 0) {
                seriesChunks.add(new EncodedChunk(appender.minTime(), appender.maxTime(), TSDB_XOR, appender.toByteArray()));
            }
            series.add(new Converted(seriesLabels, seriesChunks));
        }
        series.sort(Comparator.comparing(Converted::labels));
        List<Labels> labels = new ArrayList<>(series.size());
        List<List<EncodedChunk>> chunks = new ArrayList<>(series.size());
        for (Converted converted : series) {
            if (!labels.isEmpty() && labels.getLast().equals(converted.labels())) {
                throw new StorageException("prometheus " + prometheus + ": SAMPLES answer holds " + converted.labels() + " twice");
            }
            labels.add(converted.labels());
            chunks.add(converted.chunks());
        }
        return new RechunkedSeriesSet(labels, chunks);
    }

    @Override
    public boolean next() {
        if (index + 1 >= labels.size()) {
            index = labels.size();
            return false;
        }
        index++;
        return true;
    }

    @Override
    public Labels labels() {
        return labels.get(index);
    }

    @Override
    public List<EncodedChunk> chunks() {
        return chunks.get(index);
    }
}
