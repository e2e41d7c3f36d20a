package io.gauntlet.sidecar;

import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.store.ChunkSource;
import io.gauntlet.store.EncodedSeriesSource;
import io.gauntlet.store.EncodedSeriesStream;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.SeriesEncoder;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreUnavailableException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * A Prometheus server as a StoreAPI {@link ChunkSource}: series by remote read, {@code skip_chunks} series from the
 * series API, labels from the label APIs. The {@link io.gauntlet.store.StoreServer} in front of it resolves matchers on
 * the external labels and adds them to every series; the external labels Prometheus itself adds to remote read
 * answers are stripped here so that series reach the adapter as the TSDB holds them.
 */
public final class PrometheusChunkSource implements ChunkSource, EncodedSeriesSource {
    public static final String COMPONENT_TYPE = "sidecar";

    private final PrometheusClient prometheus;
    private final PrometheusWatcher watcher;
    private final PrometheusClient.ReadMode readMode;

    public PrometheusChunkSource(PrometheusClient prometheus, PrometheusWatcher watcher, PrometheusClient.ReadMode readMode) {
        this.prometheus = prometheus;
        this.watcher = watcher;
        this.readMode = readMode;
    }

    @Override
    public SourceInfo info() {
        PrometheusState state = watcher.state();
        Labels external = state.externalLabels() == null ? Labels.EMPTY : state.externalLabels();
        return SourceInfo.of(COMPONENT_TYPE, external, state.minTime(), Long.MAX_VALUE);
    }

    @Override
    public ChunkSeriesSet series(StoreQuery query) throws StorageException {
        Labels external = servingLabels(query);
        if (query.skipChunks()) {
            return new ListedSeriesSet(prometheus.series(query.minTime(), query.maxTime(), query.matchers(), external.toMap().keySet()));
        }
        return prometheus.remoteRead(query.minTime(), query.maxTime(), query.matchers(), external.toMap().keySet(), readMode);
    }

    /**
     * Streamed chunk answers transcoded frame by frame into the Series answer ({@code skip_chunks} and the SAMPLES
     * read mode go through {@link #series}).
     */
    @Override
    public EncodedSeriesStream encodedSeries(StoreQuery query, SeriesEncoder encoder) throws StorageException {
        if (query.skipChunks() || readMode != PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS) {
            return null;
        }
        Labels external = servingLabels(query);
        return prometheus.remoteReadEncoded(query.minTime(), query.maxTime(), query.matchers(), external.toMap().keySet(), encoder);
    }

    @Override
    public List<String> labelNames(LabelQuery query) throws StorageException {
        servingLabels();
        return prometheus.labelNames(query.start(), query.end(), query.matchers());
    }

    @Override
    public List<String> labelValues(String name, LabelQuery query) throws StorageException {
        servingLabels();
        return prometheus.labelValues(name, query.start(), query.end(), query.matchers());
    }

    /** {@link #servingLabels()} for a Series query, which needs a matcher besides the external labels (as in Thanos). */
    private Labels servingLabels(StoreQuery query) throws StoreUnavailableException {
        Labels external = servingLabels();
        if (query.matchers().isEmpty()) {
            throw new IllegalArgumentException("no matchers specified (excluding external labels)");
        }
        return external;
    }

    /** The external labels to serve with; refuses while the sidecar cannot serve for a reason other than a Prometheus outage. */
    private Labels servingLabels() throws StoreUnavailableException {
        PrometheusState state = watcher.state();
        if (state.externalLabels() == null) {
            state = watcher.refresh(); // not read yet (Prometheus was down at start): try now
        }
        if (state.externalLabels() == null || state.externalLabels().isEmpty() || (state.prometheusUp() && !state.ready())) {
            throw new StoreUnavailableException("sidecar not ready: " + state.notReadyReason());
        }
        return state.externalLabels();
    }
}
