package io.gauntlet.sidecar;

import io.gauntlet.prometheus.PrometheusClient;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The sidecar's settings; names follow Thanos' sidecar flags ({@code --prometheus.url}, ...). */
@ConfigMapping(prefix = "gauntlet.sidecar")
public interface SidecarConfig {
    /** The Prometheus to serve ({@code GAUNTLET_SIDECAR_PROMETHEUS_URL}). */
    @WithDefault("http://127.0.0.1:9090")
    URI prometheusUrl();

    /** How often external labels, flags and the lowest timestamp are read again (also the Prometheus heartbeat). */
    @WithDefault("30s")
    Duration refreshInterval();

    /**
     * Thanos' http client config YAML for reaching Prometheus ({@code --prometheus.http-client-file}): {@code tls_config},
     * {@code basic_auth}, {@code bearer_token(_file)}. Unset: plain HTTP, no credentials.
     */
    Optional<Path> prometheusHttpClientFile();

    /** The same YAML inline ({@code --prometheus.http-client}); at most one of the two. */
    Optional<String> prometheusHttpClient();

    /** Timeout of Prometheus API calls; for remote read the longest wait for its answer's start and for each read of it. */
    @WithDefault("2m")
    Duration prometheusTimeout();

    /** Timeout of connecting to Prometheus. */
    @WithDefault("5s")
    Duration prometheusConnectTimeout();

    /** Refuse to serve (stay unready) when Prometheus' min and max block durations differ, instead of only warning. */
    @WithDefault("false")
    boolean strictBlockDurations();

    /** STREAMED_XOR_CHUNKS (default) or SAMPLES (what Prometheus before 2.13 answers). */
    @WithDefault("STREAMED_XOR_CHUNKS")
    PrometheusClient.ReadMode remoteReadMode();

    /** Largest remote read frame accepted, in bytes (Prometheus' own default limit). */
    @WithDefault("50000000")
    int remoteReadMaxFrameBytes();

    /** Whether Series answers carry the xxhash64 of each chunk (costs a pass over the bytes). */
    @WithDefault("false")
    boolean chunkHashes();
}
