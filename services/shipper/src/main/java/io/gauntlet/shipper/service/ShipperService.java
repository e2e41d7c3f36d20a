package io.gauntlet.shipper.service;

import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.prometheus.HttpClientConfig;
import io.gauntlet.service.ReadinessRegistry;
import io.gauntlet.shipper.Shipper;
import io.gauntlet.shipper.ShipperException;
import io.gauntlet.shipper.ShipperOptions;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Starts the shipper with the configuration at start-up (a broken set-up fails the start with its reason) and stops it at shutdown. */
@ApplicationScoped
public class ShipperService {
    private static final Logger LOG = Logger.getLogger(ShipperService.class);

    @Inject
    ShipperConfig config;
    @Inject
    MeterRegistry meters;
    @Inject
    ReadinessRegistry readiness;
    @Inject
    Config properties;

    private volatile Shipper shipper;

    void start(@Observes StartupEvent event) {
        KafkaClientProperties kafka = KafkaClientProperties.fromConfig(properties.getPropertyNames(),
                name -> properties.getOptionalValue(name, String.class));
        if (!kafka.isEmpty()) {
            LOG.infof("Kafka client properties (gauntlet.kafka.*): %s", kafka);
        }
        ShipperOptions options = options(config, kafka);
        readiness.register("shipper", () -> shipper == null ? "not started" : shipper.lastError());
        try {
            shipper = Shipper.start(options, meters);
        } catch (ShipperException | BucketException e) { // e.g. an IAM role STS refuses: one line naming it
            LOG.error("shipper cannot start: " + e.getMessage());
            throw e;
        }
    }

    void stop(@Observes ShutdownEvent event) {
        Shipper running = shipper;
        if (running != null) {
            running.close();
        }
    }

    /** The running shipper (null before start). */
    public Shipper shipper() {
        return shipper;
    }

    static ShipperOptions options(ShipperConfig config, KafkaClientProperties kafka) {
        ShipperOptions options = ShipperOptions.of(config.tsdbPath(),
                        ShipperOptions.bucketConfig(config.objstoreConfigFile().orElse(null), config.objstoreConfig().orElse(null)),
                        config.externalLabels().map(ShipperService::parseLabels).orElse(Map.of()))
                .withPrometheus(URI.create(config.prometheusUrl()), config.prometheusWait())
                .withPrometheusHttpClient(prometheusHttpClient(config))
                .withIntervals(config.rescanInterval(), config.minBackoff(), config.maxBackoff())
                .withKafkaDeliveryTimeout(config.kafka().deliveryTimeout())
                .withProducer(config.source(), config.producer());
        if (config.outboxDir().isPresent()) {
            options = options.withOutboxDirectory(config.outboxDir().get());
        }
        Optional<Map<String, Object>> client = kafka.clientConfig(config.kafka().bootstrapServers());
        return client.isPresent() ? options.withKafka(client.get(), config.kafka().topic()) : options;
    }

    private static HttpClientConfig prometheusHttpClient(ShipperConfig config) {
        try {
            return HttpClientConfig.of(config.prometheusHttpClientFile().orElse(null), config.prometheusHttpClient().orElse(null));
        } catch (IllegalArgumentException e) {
            throw new ShipperException("gauntlet.shipper.prometheus-http-client(-file): " + e.getMessage(), e);
        }
    }

    /** {@code name=value,name=value} → labels; anything else is an error naming the bad part. */
    static Map<String, String> parseLabels(String text) {
        Map<String, String> labels = new TreeMap<>();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int equals = pair.indexOf('=');
            if (equals <= 0) {
                throw new ShipperException("gauntlet.shipper.external-labels must be name=value pairs separated by commas, got '" + pair.trim() + "'");
            }
            labels.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
        }
        return labels;
    }
}
