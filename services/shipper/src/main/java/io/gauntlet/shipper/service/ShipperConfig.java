package io.gauntlet.shipper.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The shipper's settings; names follow Thanos' sidecar flags where it has one ({@code --tsdb.path}, {@code --objstore.config}). */
@ConfigMapping(prefix = "gauntlet.shipper")
public interface ShipperConfig {
    /** The Prometheus TSDB directory (Thanos {@code --tsdb.path}). */
    Path tsdbPath();

    /** Objstore YAML file (Thanos {@code --objstore.config-file}); exactly one of this and {@link #objstoreConfig()}. */
    Optional<Path> objstoreConfigFile();

    /** Objstore YAML inline (Thanos {@code --objstore.config}). */
    Optional<String> objstoreConfig();

    /** External labels as {@code name=value,name=value}; when unset they come from Prometheus' config API. */
    Optional<String> externalLabels();

    /** Where to ask for external labels (Thanos {@code --prometheus.url}). */
    @WithDefault("http://127.0.0.1:9090")
    String prometheusUrl();

    /**
     * Thanos' http client config YAML for reaching Prometheus ({@code --prometheus.http-client-file}): {@code tls_config},
     * {@code basic_auth}, {@code bearer_token(_file)}. Unset: plain HTTP, no credentials.
     */
    Optional<Path> prometheusHttpClientFile();

    /** The same YAML inline ({@code --prometheus.http-client}); at most one of the two. */
    Optional<String> prometheusHttpClient();

    /** How long to wait for Prometheus to answer at start. */
    @WithDefault("2m")
    Duration prometheusWait();

    /** Periodic pass in addition to the directory watch. */
    @WithDefault("30s")
    Duration rescanInterval();

    /** First retry delay after a failed pass or send; doubles up to {@link #maxBackoff()}. */
    @WithDefault("1s")
    Duration minBackoff();

    @WithDefault("30s")
    Duration maxBackoff();

    /** Where block events wait for Kafka; default {@code <tsdb-path>/thanos/outbox}. */
    Optional<Path> outboxDir();

    /** {@code thanos.source} written into uploaded metas. */
    @WithDefault("sidecar")
    String source();

    /** The events' producer (CloudEvents source), a URI reference. */
    @WithDefault("gauntlet/shipper")
    String producer();

    Kafka kafka();

    interface Kafka {
        /** Unset: blocks are shipped without events. */
        Optional<String> bootstrapServers();

        @WithDefault("gauntlet.blocks")
        String topic();

        /** The producer's {@code delivery.timeout.ms}: how long one send may take before it counts as failed and is retried. */
        @WithDefault("30s")
        Duration deliveryTimeout();
    }
}
