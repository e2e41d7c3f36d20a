package io.gauntlet.compactor;

import io.gauntlet.compact.Compactor;
import io.gauntlet.compact.CompactorMetrics;
import io.gauntlet.compact.CompactorOptions;
import io.gauntlet.compact.CompactorRunner;
import io.gauntlet.compact.Deduplication;
import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.service.ReadinessRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Wires the configuration to a {@link CompactorRunner} at start-up (a broken set-up fails the start with its reason). */
@ApplicationScoped
public class CompactorService {
    private static final Logger LOG = Logger.getLogger(CompactorService.class);

    @Inject
    CompactorConfig config;
    @Inject
    MeterRegistry meters;
    @Inject
    ReadinessRegistry readiness;
    @Inject
    Config properties;

    private volatile Bucket bucket;
    private volatile CompactorRunner runner;

    void start(@Observes StartupEvent event) throws IOException {
        bucket = BucketFactory.create(bucketConfig(), meters);
        CompactorOptions options = options(config);
        CompactorMetrics metrics = new CompactorMetrics(meters);
        KafkaClientProperties shared = KafkaClientProperties.fromConfig(properties.getPropertyNames(),
                name -> properties.getOptionalValue(name, String.class));
        Map<String, Object> kafka = shared.clientConfig(config.kafka().bootstrapServers()).orElse(null);
        readiness.register("compactor", () -> runner == null ? "not started" : runner.lastError());
        runner = CompactorRunner.start(sink -> new Compactor(bucket, options, sink, metrics, Clock.systemUTC()), config.waitInterval(), kafka,
                config.kafka().topic(), config.kafka().groupId(), config.dataDir().resolve("outbox"),
                config.kafka().consume() ? CompactorRunner.EventSource.KAFKA : CompactorRunner.EventSource.DELIVERED);
        LOG.infof("compactor started on bucket %s (%s), replica labels %s, %s", bucket.name(),
                !config.kafka().consume() ? "block events delivered over HTTP (POST /), " + (kafka == null ? "no Kafka for its own events" : "its own events to " + config.kafka().topic())
                        : kafka == null ? "no Kafka: periodic sync only"
                        : "consumer group " + config.kafka().groupId() + " on " + config.kafka().topic() + " with " + shared,
                options.replicaLabels(), options.deduplication());
    }

    void stop(@Observes ShutdownEvent event) {
        CompactorRunner running = runner;
        if (running != null) {
            running.close();
        }
        if (bucket != null) {
            bucket.close();
        }
    }

    /** The running compactor (null before start). */
    public CompactorRunner runner() {
        return runner;
    }

    private BucketConfig bucketConfig() {
        boolean hasFile = config.objstoreConfigFile().isPresent();
        boolean hasInline = config.objstoreConfig().filter(yaml -> !yaml.isBlank()).isPresent();
        if (hasFile == hasInline) {
            throw new IllegalArgumentException("set exactly one of gauntlet.compactor.objstore-config-file and gauntlet.compactor.objstore-config");
        }
        return hasFile ? BucketConfig.load(config.objstoreConfigFile().get()) : BucketConfig.parse(config.objstoreConfig().get());
    }

    static CompactorOptions options(CompactorConfig config) {
        List<String> replicaLabels = config.deduplication().replicaLabels().orElse(List.of());
        Deduplication deduplication = replicaLabels.isEmpty() ? Deduplication.NONE : Deduplication.parse(config.deduplication().func());
        try {
            return CompactorOptions.defaults(config.dataDir().toAbsolutePath())
                    .withRanges(config.blockRanges().stream().map(Duration::toMillis).toList())
                    .withReplicaLabels(replicaLabels, deduplication)
                    .withDelays(config.consistencyDelay(), config.deleteDelay())
                    .withRetention(config.retention().resolutionRaw(), config.retention().resolution5m(), config.retention().resolution1h())
                    .withDownsampling(!config.downsampling().disable())
                    .withProducer(config.producer());
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("compactor data dir " + config.dataDir() + ": " + e.getMessage(), e);
        }
    }
}
