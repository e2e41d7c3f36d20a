package io.gauntlet.storegateway;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.bucketstore.TimeOrDuration;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventConsumer;
import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.events.KafkaErrorMessages;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.service.ReadinessCondition;
import io.gauntlet.service.ReadinessRegistry;
import io.gauntlet.store.StoreLimits;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.CorruptedDataException;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.arc.Unremovable;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/** Wires the store gateway: its bucket, the bucket store, syncs and block events, readiness, metrics, Store and Info. */
@ApplicationScoped
@Startup
public class StoreGatewayServices {
    private static final Logger LOG = Logger.getLogger(StoreGatewayServices.class);

    private final Bucket bucket;
    private final BucketStore store;
    private final StoreServer storeServer;
    private final ReadinessCondition readiness;
    private final StoreGatewayConfig config;
    private final AtomicLong eventsApplied = new AtomicLong();
    private volatile boolean eventsAssigned;
    private volatile boolean stopping;
    private Thread eventThread;
    private volatile BlockEventConsumer consumer;

    @Inject
    public StoreGatewayServices(StoreGatewayConfig config, ReadinessRegistry registry, MeterRegistry meters, Config properties) {
        this.config = config;
        BucketConfig bucketConfig = config.objstoreConfigFile().map(BucketConfig::load)
                .or(() -> config.objstoreConfig().map(BucketConfig::parse))
                .orElseThrow(() -> new IllegalStateException(
                        "set gauntlet.store-gateway.objstore-config-file or gauntlet.store-gateway.objstore-config"));
        this.bucket = BucketFactory.create(bucketConfig, meters);
        BucketStoreConfig storeConfig = new BucketStoreConfig(config.dataDir(), config.indexCacheSize(), config.ignoreDeletionMarksDelay(),
                TimeOrDuration.parse(config.minTime()), TimeOrDuration.parse(config.maxTime()),
                config.selector().map(ExternalLabelSelector::parse).orElse(List.of()),
                new StoreLimits(config.requestSeriesLimit(), config.requestSamplesLimit()), config.blockSyncConcurrency(),
                config.queryConcurrency(), config.blockMetaFetchConcurrency());
        this.store = new BucketStore(bucket, storeConfig);
        this.storeServer = new StoreServer(store, storeConfig.limits(), config.chunkHashes());
        this.readiness = registry.condition("bucket", "initial bucket sync not finished");
        registerMetrics(meters);
        LOG.infof("store gateway on bucket %s (sync every %s, cache dir %s, time shard %s..%s, index cache %d MiB%s)", bucket.name(),
                config.syncInterval(), config.dataDir(), config.minTime(), config.maxTime(), store.indexCache().maxBytes() >> 20,
                store.indexCache().maxBytes() < config.indexCacheSize() ? " (a quarter of the heap, below index-cache-size)" : "");
        // the first sync may take long on a large bucket: serve /-/healthy meanwhile, /-/ready after it
        Thread.ofPlatform().name("initial-sync").daemon().start(this::sync);
        KafkaClientProperties kafka = KafkaClientProperties.fromConfig(properties.getPropertyNames(),
                name -> properties.getOptionalValue(name, String.class));
        kafka.clientConfig(config.kafkaBootstrap()).ifPresent(client -> startEvents(client, kafka));
    }

    private void registerMetrics(MeterRegistry meters) {
        Gauge.builder("thanos_bucket_store_blocks_loaded", store, BucketStore::blocksLoaded)
                .description("Number of currently loaded blocks.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_block_loads", store, s -> s.stats().blockLoads())
                .description("Total number of remote block loading attempts.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_block_load_failures", store, s -> s.stats().blockLoadFailures())
                .description("Total number of failed remote block loading attempts.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_block_drops", store, s -> s.stats().blockDrops())
                .description("Total number of local blocks that were dropped.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_series_blocks_queried", store, s -> s.stats().blocksQueried())
                .description("Number of blocks in a bucket store that were touched to satisfy a query.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_series_touched", store, s -> s.stats().seriesTouched())
                .description("Number of series selected by queries.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_chunks_fetched", store, s -> s.stats().chunksFetched())
                .description("Number of chunks fetched for queries.").register(meters);
        FunctionCounter.builder("thanos_bucket_store_chunk_bytes_fetched", store, s -> s.stats().chunkBytesFetched())
                .description("Bytes of chunk data fetched for queries.").register(meters);
        FunctionCounter.builder("thanos_blocks_meta_syncs", store, s -> s.stats().syncs())
                .description("Total blocks metadata synchronization attempts.").register(meters);
        FunctionCounter.builder("thanos_blocks_meta_sync_failures", store, s -> s.stats().syncFailures())
                .description("Total blocks metadata synchronization failures.").register(meters);
        Gauge.builder("thanos_store_index_cache_items", store, s -> s.indexCache().size())
                .description("Current number of items in the index cache.").register(meters);
        Gauge.builder("thanos_store_index_cache_total_size_bytes", store, s -> s.indexCache().bytes())
                .description("Current byte size of items in the index cache.").register(meters);
        FunctionCounter.builder("thanos_store_index_cache_requests", store, s -> s.indexCache().requests())
                .description("Total number of requests to the cache.").register(meters);
        FunctionCounter.builder("thanos_store_index_cache_hits", store, s -> s.indexCache().hits())
                .description("Total number of requests to the cache that were a hit.").register(meters);
        FunctionCounter.builder("gauntlet_store_gateway_block_events_applied", eventsApplied, AtomicLong::get)
                .description("Block events that loaded or dropped a block.").register(meters);
        Gauge.builder("gauntlet_bucket_store_corrupted_blocks", store, s -> s.quarantinedBlocks().size())
                .description("Blocks quarantined for confirmed corruption: read by no query until uploaded again, announced again or restarted.")
                .register(meters);
        for (CorruptedDataException.Kind kind : CorruptedDataException.Kind.values()) {
            FunctionCounter.builder("gauntlet_bucket_store_corrupted_blocks_detected", store, s -> s.stats().corruptions(kind)).tag("cause", kind.label())
                    .description("Corrupted blocks detected (one per detection, not per query), by cause.").register(meters);
        }
        FunctionCounter.builder("gauntlet_bucket_store_quarantined_block_skips", store, s -> s.stats().quarantinedBlockSkips())
                .description("Times a call left out a quarantined block it would have read (and warned instead).").register(meters);
    }

    @Scheduled(every = "${gauntlet.store-gateway.sync-interval:15m}", delayed = "${gauntlet.store-gateway.sync-interval:15m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sync() {
        try {
            long start = System.nanoTime();
            boolean initial = !store.synced();
            store.sync();
            readiness.markReady();
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (initial) {
                LOG.infof("initial bucket sync: %d blocks loaded in %d ms, ready", store.blocksLoaded(), millis);
            } else {
                LOG.debugf("bucket sync: %d blocks loaded in %d ms", store.blocksLoaded(), millis);
            }
        } catch (RuntimeException e) {
            LOG.warnf("bucket sync failed (serving the blocks loaded before): %s", e.getMessage());
            if (!store.synced()) {
                readiness.markNotReady("initial bucket sync failed: " + e.getMessage());
            }
        }
    }

    private void startEvents(Map<String, Object> client, KafkaClientProperties shared) {
        String group = "gauntlet-store-gateway-" + hostName() + "-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> kafka = new HashMap<>(client);
        kafka.put("group.id", group);
        kafka.put("auto.offset.reset", "latest");
        kafka.put("fetch.max.wait.ms", "100"); // an event is one small record: do not let the broker hold it back
        kafka.put("enable.auto.commit", "true");
        kafka.put("client.id", group);
        eventThread = Thread.ofPlatform().name("block-events").daemon().start(() -> consume(kafka));
        LOG.infof("consuming block events from %s topic %s as group %s, client properties %s", kafka.get("bootstrap.servers"),
                config.eventsTopic(), group, shared);
    }

    private void consume(Map<String, Object> kafka) {
        while (!stopping) {
            try (BlockEventConsumer consumer = BlockEventConsumer.create(kafka)) {
                this.consumer = consumer;
                if (stopping) {
                    return;
                }
                consumer.subscribe(List.of(config.eventsTopic()));
                while (!stopping) {
                    List<ConsumerRecord<String, BlockEvent>> records = consumer.poll(Duration.ofMillis(200));
                    Set<TopicPartition> assignment = consumer.kafkaConsumer().assignment();
                    if (!assignment.isEmpty() && !eventsAssigned) {
                        catchUp(consumer, assignment);
                    }
                    eventsAssigned = !assignment.isEmpty();
                    for (ConsumerRecord<String, BlockEvent> record : records) {
                        apply(record.value());
                    }
                }
            } catch (org.apache.kafka.common.errors.InterruptException | org.apache.kafka.common.errors.WakeupException e) {
                return;
            } catch (RuntimeException e) {
                eventsAssigned = false;
                LOG.warnf("block event consumer failed, the periodic sync covers meanwhile; retrying in 5 s: %s", KafkaErrorMessages.describe(e));
                try {
                    Thread.sleep(5_000); // back-off between reconnects, not a test wait
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /**
     * The group starts at the partitions' ends ("latest"): a block uploaded after the initial sync listed the bucket but
     * before this assignment would wait for the next periodic sync. Fixing the positions now and listing the bucket once
     * more closes that window: every later upload's event is read from here on.
     */
    private void catchUp(BlockEventConsumer consumer, Set<TopicPartition> assignment) {
        for (TopicPartition partition : assignment) {
            consumer.kafkaConsumer().position(partition);
        }
        Thread.ofPlatform().name("catch-up-sync").daemon().start(this::sync);
    }

    private void apply(BlockEvent event) {
        switch (event.type()) {
            case UPLOADED -> {
                if (store.loadBlock(event.ulid())) {
                    eventsApplied.incrementAndGet();
                    LOG.infof("block %s served after its upload event", event.ulid());
                }
            }
            case DELETED -> {
                store.dropBlock(event.ulid());
                eventsApplied.incrementAndGet();
            }
            case MARKED_FOR_DELETION -> {
                // still served until ignore-deletion-marks-delay passes; the periodic sync drops it then
            }
            case MARKED_NO_COMPACT -> {
                // a compactor matter; a block it found damaged is quarantined here when a query meets the damage
            }
            case MARKED_NO_DOWNSAMPLE -> {
                // a compactor matter: the block is served as before
            }
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    /** Whether the event consumer has its partitions (events published from now on reach it). */
    public boolean eventsAssigned() {
        return eventsAssigned;
    }

    public BucketStore store() {
        return store;
    }

    void stop(@Observes ShutdownEvent event) {
        close();
    }

    @PreDestroy
    void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        BlockEventConsumer running = consumer;
        if (running != null) {
            running.kafkaConsumer().wakeup(); // ends a poll at once; the thread then closes the consumer
        }
        if (eventThread != null) {
            try {
                eventThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
        bucket.close();
    }

    @Produces
    @Unremovable
    @Named("thanos.Store")
    ServerServiceDefinition storeService() {
        return storeServer.storeService().bindService();
    }

    @Produces
    @Unremovable
    @Named("thanos.info.Info")
    ServerServiceDefinition infoService() {
        return storeServer.infoService().bindService();
    }
}
