package io.gauntlet.shipper;

import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.prometheus.HttpClientConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Shipper} needs.
 *
 * @param externalLabels     the blocks' external labels; empty: ask {@code prometheusUrl}
 * @param prometheusUrl      where to ask for external labels when none are configured, or null
 * @param prometheusWait     how long to keep asking a Prometheus that is not up yet
 * @param kafka              Kafka producer settings ({@code bootstrap.servers}, …), or null to publish no events
 * @param outboxDirectory    where events wait for Kafka
 * @param rescanInterval     the periodic pass, in addition to the directory watch
 * @param source             {@code thanos.source} of uploaded metas
 * @param producer           the events' producer (a URI reference)
 * @param prometheusHttp     how to reach {@code prometheusUrl}: TLS and credentials (Thanos' http client config)
 */
public record ShipperOptions(Path tsdbDirectory, BucketConfig bucketConfig, Map<String, String> externalLabels, URI prometheusUrl,
                             Duration prometheusWait, Map<String, Object> kafka, String topic, Path outboxDirectory,
                             Duration rescanInterval, Duration minBackoff, Duration maxBackoff, Duration kafkaDeliveryTimeout,
                             String source, String producer, HttpClientConfig prometheusHttp) {
    public static final Duration DEFAULT_RESCAN_INTERVAL = Duration.ofSeconds(30);

    public ShipperOptions {
        Objects.requireNonNull(tsdbDirectory, "tsdbDirectory");
        Objects.requireNonNull(bucketConfig, "bucketConfig");
        externalLabels = Map.copyOf(externalLabels);
        kafka = kafka == null ? null : Map.copyOf(kafka);
        Objects.requireNonNull(outboxDirectory, "outboxDirectory");
        prometheusHttp = prometheusHttp == null ? HttpClientConfig.NONE : prometheusHttp;
    }

    /** Defaults: no Kafka, outbox in {@code <tsdb>/thanos/outbox}, rescan 30 s, backoff 1 s…30 s, source sidecar. */
    public static ShipperOptions of(Path tsdbDirectory, BucketConfig bucketConfig, Map<String, String> externalLabels) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, null, Duration.ofMinutes(1), null,
                BlockEventPublisher.DEFAULT_TOPIC, tsdbDirectory.resolve("thanos").resolve("outbox"), DEFAULT_RESCAN_INTERVAL,
                Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(30), "sidecar", "gauntlet/shipper", HttpClientConfig.NONE);
    }

    /**
     * The bucket config from Thanos' two flags: {@code --objstore.config-file} or {@code --objstore.config} (inline YAML),
     * exactly one of them.
     *
     * @throws ShipperException naming the problem (a missing file, malformed YAML with line and column, a bad key)
     */
    public static BucketConfig bucketConfig(Path configFile, String inlineYaml) {
        boolean hasFile = configFile != null;
        boolean hasInline = inlineYaml != null && !inlineYaml.isBlank();
        if (hasFile == hasInline) {
            throw new ShipperException(hasFile
                    ? "both an objstore config file and an inline objstore config are set: set only one"
                    : "no objstore config: set the objstore config file or the inline objstore config (Thanos' objstore YAML)");
        }
        try {
            return hasFile ? BucketConfig.load(configFile) : BucketConfig.parse(inlineYaml);
        } catch (IllegalArgumentException e) {
            throw new ShipperException("invalid objstore config: " + e.getMessage(), e);
        }
    }

    public ShipperOptions withKafka(Map<String, Object> newKafka, String newTopic) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, newKafka, newTopic,
                outboxDirectory, rescanInterval, minBackoff, maxBackoff, kafkaDeliveryTimeout, source, producer, prometheusHttp);
    }

    public ShipperOptions withPrometheus(URI newPrometheusUrl, Duration newPrometheusWait) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, newPrometheusUrl, newPrometheusWait, kafka, topic,
                outboxDirectory, rescanInterval, minBackoff, maxBackoff, kafkaDeliveryTimeout, source, producer, prometheusHttp);
    }

    public ShipperOptions withPrometheusHttpClient(HttpClientConfig newPrometheusHttp) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, kafka, topic,
                outboxDirectory, rescanInterval, minBackoff, maxBackoff, kafkaDeliveryTimeout, source, producer, newPrometheusHttp);
    }

    public ShipperOptions withOutboxDirectory(Path newOutboxDirectory) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, kafka, topic,
                newOutboxDirectory, rescanInterval, minBackoff, maxBackoff, kafkaDeliveryTimeout, source, producer, prometheusHttp);
    }

    public ShipperOptions withIntervals(Duration newRescanInterval, Duration newMinBackoff, Duration newMaxBackoff) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, kafka, topic,
                outboxDirectory, newRescanInterval, newMinBackoff, newMaxBackoff, kafkaDeliveryTimeout, source, producer, prometheusHttp);
    }

    public ShipperOptions withKafkaDeliveryTimeout(Duration newTimeout) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, kafka, topic,
                outboxDirectory, rescanInterval, minBackoff, maxBackoff, newTimeout, source, producer, prometheusHttp);
    }

    public ShipperOptions withProducer(String newSource, String newProducer) {
        return new ShipperOptions(tsdbDirectory, bucketConfig, externalLabels, prometheusUrl, prometheusWait, kafka, topic,
                outboxDirectory, rescanInterval, minBackoff, maxBackoff, kafkaDeliveryTimeout, newSource, newProducer, prometheusHttp);
    }
}
