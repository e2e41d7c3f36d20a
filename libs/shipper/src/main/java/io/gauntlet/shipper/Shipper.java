package io.gauntlet.shipper;

import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.EventOutbox;
import io.gauntlet.events.OutboxPublisher;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.tsdb.storage.StorageException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A running shipper: the bucket, the sync loop over the TSDB directory and, with Kafka configured, the outbox
 * publisher. {@link #start} checks everything it can before the first pass and fails with a message naming the
 * problem: a missing TSDB directory, an unreachable bucket, empty external labels.
 */
public final class Shipper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Shipper.class.getName());
    // a directory no block uses: listing it costs one request and fails for a missing bucket (a HEAD would just say 404)
    private static final String PROBE = "thanos-shipper-probe/";
    private static final Duration PROMETHEUS_TIMEOUT = Duration.ofSeconds(5);

    private final Bucket bucket;
    private final Map<String, String> externalLabels;
    private final EventOutbox outbox;
    private final OutboxPublisher publisher;
    private final ShipperLoop loop;
    private final ShipperMetrics metrics;
    private final PrometheusClient prometheus; // null when the external labels are configured

    private Shipper(Bucket bucket, Map<String, String> externalLabels, EventOutbox outbox, OutboxPublisher publisher, ShipperLoop loop,
                    ShipperMetrics metrics, PrometheusClient prometheus) {
        this.bucket = bucket;
        this.externalLabels = externalLabels;
        this.outbox = outbox;
        this.publisher = publisher;
        this.loop = loop;
        this.metrics = metrics;
        this.prometheus = prometheus;
    }

    /** Checks the set-up, then starts the loop (and the publisher); the first pass runs at once. */
    public static Shipper start(ShipperOptions options, MeterRegistry registry) {
        if (!Files.isDirectory(options.tsdbDirectory())) {
            throw new ShipperException("TSDB directory " + options.tsdbDirectory() + " does not exist or is not a directory");
        }
        PrometheusClient prometheus = options.externalLabels().isEmpty() && options.prometheusUrl() != null
                ? prometheusClient(options) : null;
        Map<String, String> labels;
        try {
            labels = externalLabels(options, prometheus);
        } catch (RuntimeException e) {
            closeQuietly(prometheus);
            throw e;
        }
        if (labels.isEmpty()) {
            closeQuietly(prometheus);
            throw new ShipperException("external labels are empty: refusing to ship blocks that cannot be told apart in the bucket; "
                    + "set global.external_labels in the Prometheus config or gauntlet.shipper.external-labels");
        }
        Bucket bucket = BucketFactory.create(options.bucketConfig(), registry);
        try {
            bucket.iter(PROBE, false, name -> { });
        } catch (BucketException e) {
            closeQuietly(prometheus);
            bucket.close();
            throw new ShipperException("objstore bucket " + bucket.name() + " (" + options.bucketConfig().type() + ") is not reachable: "
                    + e.getMessage(), e);
        }
        ShipperMetrics metrics = new ShipperMetrics(registry);
        EventOutbox outbox = null;
        OutboxPublisher publisher = null;
        if (options.kafka() != null) {
            try {
                outbox = new EventOutbox(options.outboxDirectory());
            } catch (IOException e) {
                closeQuietly(prometheus);
                bucket.close();
                throw new ShipperException("cannot create the event outbox " + options.outboxDirectory() + ": " + e, e);
            }
            publisher = new OutboxPublisher(outbox, BlockEventPublisher.create(producerSettings(options), options.topic()),
                    options.kafkaDeliveryTimeout().multipliedBy(2).plusSeconds(5), options.minBackoff(), options.maxBackoff(), metrics);
        } else {
            LOG.log(System.Logger.Level.WARNING, "no Kafka configured: blocks are shipped without block events");
        }
        OutboxPublisher wake = publisher;
        Supplier<Map<String, String>> currentLabels = prometheus != null ? new PrometheusLabels(prometheus, labels) : () -> labels;
        BlockShipper shipper = new BlockShipper(options.tsdbDirectory(), bucket, currentLabels, options.source(), options.producer(), outbox,
                metrics, wake == null ? null : wake::wake);
        ShipperLoop loop = new ShipperLoop(shipper, options.rescanInterval(), options.minBackoff(), options.maxBackoff());
        if (publisher != null) {
            publisher.start();
        }
        loop.start();
        LOG.log(System.Logger.Level.INFO, "shipping blocks of {0} to bucket {1} with external labels {2}", options.tsdbDirectory(), bucket.name(), labels);
        return new Shipper(bucket, labels, outbox, publisher, loop, metrics, prometheus);
    }

    /** The client for Prometheus' config API, with the http client config's TLS and credentials. */
    private static PrometheusClient prometheusClient(ShipperOptions options) {
        try {
            return new PrometheusClient(options.prometheusUrl(), options.prometheusHttp(), PROMETHEUS_TIMEOUT, PROMETHEUS_TIMEOUT);
        } catch (IllegalArgumentException e) {
            throw new ShipperException("cannot set up the client for Prometheus at " + options.prometheusUrl() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> externalLabels(ShipperOptions options, PrometheusClient prometheus) {
        if (prometheus == null) {
            return new TreeMap<>(options.externalLabels());
        }
        long deadline = System.nanoTime() + options.prometheusWait().toNanos();
        while (true) {
            try {
                return fetchExternalLabels(prometheus);
            } catch (ShipperException e) {
                if (System.nanoTime() > deadline) {
                    throw new ShipperException(e.getMessage() + " (gave up after " + options.prometheusWait() + ")", e);
                }
                LOG.log(System.Logger.Level.INFO, "waiting for Prometheus: {0}", e.getMessage());
                try {
                    Thread.sleep(Math.min(2_000, Math.max(1, options.prometheusWait().toMillis())));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** {@code global.external_labels} of the running Prometheus (its config API). */
    static Map<String, String> fetchExternalLabels(PrometheusClient prometheus) {
        try {
            return new TreeMap<>(prometheus.externalLabels().toMap());
        } catch (StorageException | IllegalArgumentException e) {
            throw new ShipperException("cannot ask Prometheus for its external labels: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(PrometheusClient prometheus) {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    /** Prometheus' current external labels, asked before each pass; while it does not answer, the last ones it gave. */
    private static final class PrometheusLabels implements Supplier<Map<String, String>> {
        private final PrometheusClient prometheus;
        private volatile Map<String, String> last;

        PrometheusLabels(PrometheusClient prometheus, Map<String, String> initial) {
            this.prometheus = prometheus;
            this.last = initial;
        }

        @Override
        public Map<String, String> get() {
            try {
                Map<String, String> current = fetchExternalLabels(prometheus);
                if (!current.equals(last)) {
                    LOG.log(System.Logger.Level.WARNING, "Prometheus external labels changed from {0} to {1}: new blocks get the new ones", last, current);
                    last = current;
                }
            } catch (ShipperException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot refresh external labels, using the last ones {0}: {1}", last, e.getMessage());
            }
            return last;
        }
    }

    /** acks=all and idempotence (from the publisher), with delivery bounded so an outage shows up as a failed send. */
    private static Map<String, Object> producerSettings(ShipperOptions options) {
        long delivery = options.kafkaDeliveryTimeout().toMillis();
        Map<String, Object> settings = new HashMap<>();
        settings.put("acks", "all");
        settings.put("enable.idempotence", true);
        settings.put("linger.ms", 0);
        settings.put("delivery.timeout.ms", (int) delivery);
        settings.put("request.timeout.ms", (int) Math.max(1, delivery / 2));
        settings.put("max.block.ms", delivery);
        settings.putAll(options.kafka());
        return settings;
    }

    /** Runs a pass now instead of at the next rescan. */
    public void syncNow() {
        loop.trigger();
    }

    /** Null when the last pass went well, else why it failed (for readiness and logs). */
    public String lastError() {
        return loop.lastError();
    }

    /** Null while Kafka takes events (or without Kafka), else why the last send failed. */
    public String kafkaError() {
        return publisher == null ? null : publisher.lastError();
    }

    public long passes() {
        return loop.passes();
    }

    public Map<String, String> externalLabels() {
        return externalLabels;
    }

    public ShipperMetrics metrics() {
        return metrics;
    }

    /** Events still waiting for Kafka (0 without Kafka). */
    public int pendingEvents() {
        return outbox == null ? 0 : outbox.size();
    }

    public Bucket bucket() {
        return bucket;
    }

    @Override
    public void close() {
        loop.close();
        if (publisher != null) {
            publisher.close();
        }
        bucket.close();
        closeQuietly(prometheus);
    }
}
