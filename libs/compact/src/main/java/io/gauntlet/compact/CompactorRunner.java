package io.gauntlet.compact;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventConsumer;
import io.gauntlet.events.BlockEventPublisher;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.EventOutbox;
import io.gauntlet.events.KafkaErrorMessages;
import io.gauntlet.events.OutboxMetrics;
import io.gauntlet.events.OutboxPublisher;
import io.gauntlet.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

/**
 * Runs a {@link Compactor} as a member of a Kafka consumer group on the block topic. Events are keyed by compaction
 * group, so the partitions assigned here decide the groups this process owns (the producer's default partitioner:
 * murmur2 of the key). A {@code block.uploaded} event of an owned group wakes the worker at once; a full sync of the
 * owned groups runs every {@code syncInterval} anyway (blocks uploaded without events, Kafka down). On a rebalance the
 * revoked groups stop at the next safe point — before a compaction, at a progress report, or before an upload — and
 * the revocation waits for that, so a group never has two compactors uploading at once.
 *
 * <p>Without Kafka ({@code kafkaConfig} null) the process owns every group and only the periodic sync runs; so does a
 * process that got no partition within one sync interval of its start (Kafka down). Events the
 * compactor publishes go through a durable outbox, so they survive Kafka outages and restarts.
 *
 * <p>Events can also be delivered from outside ({@link #compactGroup}, e.g. CloudEvents over HTTP from a Knative
 * KafkaSource). With {@link EventSource#DELIVERED} the process neither consumes Kafka nor syncs periodically: it works on
 * exactly the groups it is handed, one at a time, and Kafka only carries the events it publishes.
 */
public final class CompactorRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CompactorRunner.class.getName());
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration REVOKE_WAIT = Duration.ofMinutes(2);

    private final Compactor compactor;
    private final Duration syncInterval;
    private final BlockEventConsumer consumer;
    private final String topic;
    private final OutboxPublisher outboxPublisher;
    private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();
    private final Object lock = new Object();
    private final EventSource source;
    private final ReentrantLock syncLock = new ReentrantLock(); // the compactor runs one sync at a time
    private final Thread worker;
    private final Thread poller;
    private volatile boolean running = true;
    private volatile int partitions;
    private volatile String workingOn; // the group being compacted, for revocation
    private boolean wake; // guarded by lock
    private final AtomicLong syncs = new AtomicLong();
    private volatile Compactor.SyncReport lastReport;
    private volatile String lastError;
    private volatile long lastEventNanos;
    private volatile long lastStartLatencyNanos = -1;
    private final long startedNanos = System.nanoTime();
    private volatile boolean everAssigned;
    private volatile boolean warnedUnassigned;
    private String lastPollError; // poller thread only

    /** Where the block events that start work come from. */
    public enum EventSource {
        /** this process is a member of the Kafka consumer group and also syncs its groups periodically */
        KAFKA,
        /** events are handed in through {@link #compactGroup}; no consumer, no periodic sync */
        DELIVERED
    }

    /** What the work for one delivered event came to. */
    public record GroupResult(Status status, String group, String detail) {
        public enum Status {
            /** the group's planned work is done (nothing left to compact for the blocks seen) */
            DONE,
            /** there is nothing of this group to work on */
            NOT_NEEDED,
            /** the work is not done; delivering the event again later may finish it */
            RETRY
        }
    }

    private CompactorRunner(Compactor compactor, Duration syncInterval, BlockEventConsumer consumer, String topic, OutboxPublisher outboxPublisher,
                            EventSource source) {
        this.compactor = compactor;
        this.source = source;
        this.syncInterval = syncInterval;
        this.consumer = consumer;
        this.topic = topic;
        this.outboxPublisher = outboxPublisher;
        this.worker = Thread.ofPlatform().name("compactor-worker").daemon().unstarted(this::work);
        this.poller = consumer == null ? null : Thread.ofPlatform().name("compactor-events").daemon().unstarted(this::poll);
    }

    /**
     * Builds the compactor's event path and starts it.
     *
     * @param factory     makes the compactor, given where its events go
     * @param kafkaConfig plain Kafka client config ({@code bootstrap.servers}, …) or null to run without Kafka
     * @param groupId     the consumer group of all compactors of this bucket
     * @param outboxDir   where events wait for Kafka
     */
    public static CompactorRunner start(java.util.function.Function<BlockEventSink, Compactor> factory, Duration syncInterval,
                                        Map<String, Object> kafkaConfig, String topic, String groupId, Path outboxDir) throws IOException {
        return start(factory, syncInterval, kafkaConfig, topic, groupId, outboxDir, EventSource.KAFKA);
    }

    /** As {@link #start(java.util.function.Function, Duration, Map, String, String, Path)}, with the events' source. */
    public static CompactorRunner start(java.util.function.Function<BlockEventSink, Compactor> factory, Duration syncInterval,
                                        Map<String, Object> kafkaConfig, String topic, String groupId, Path outboxDir,
                                        EventSource source) throws IOException {
        if (kafkaConfig == null) {
            CompactorRunner runner = new CompactorRunner(factory.apply(BlockEventSink.NONE), syncInterval, null, topic, null, source);
            if (source == EventSource.KAFKA) {
                runner.worker.start();
            }
            return runner;
        }
        EventOutbox outbox = new EventOutbox(outboxDir);
        BlockEventPublisher publisher = BlockEventPublisher.create(kafkaConfig, topic);
        OutboxPublisher outboxPublisher = new OutboxPublisher(outbox, publisher, Duration.ofSeconds(45), Duration.ofMillis(500),
                Duration.ofSeconds(30), OutboxMetrics.NONE);
        Compactor compactor = factory.apply(event -> {
            outbox.add(event);
            outboxPublisher.wake();
        });
        if (source == EventSource.DELIVERED) {
            CompactorRunner runner = new CompactorRunner(compactor, syncInterval, null, topic, outboxPublisher, source);
            outboxPublisher.start();
            return runner;
        }
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put("group.id", groupId);
        consumerConfig.putIfAbsent("auto.offset.reset", "earliest");
        consumerConfig.putIfAbsent("enable.auto.commit", "true");
        consumerConfig.putIfAbsent("client.id", "gauntlet-compactor-" + ProcessHandle.current().pid());
        BlockEventConsumer consumer = BlockEventConsumer.create(consumerConfig);
        CompactorRunner runner = new CompactorRunner(compactor, syncInterval, consumer, topic, outboxPublisher, source);
        outboxPublisher.start();
        runner.poller.start();
        runner.worker.start();
        return runner;
    }

    public Compactor compactor() {
        return compactor;
    }

    /** Whether this process owns a group now. */
    public boolean owns(String groupKey) {
        if (source == EventSource.DELIVERED) {
            return false; // only the groups handed in, through compactGroup
        }
        if (consumer == null) {
            return true;
        }
        if (!everAssigned && System.nanoTime() - startedNanos > syncInterval.toNanos()) {
            // Kafka has been unreachable since the start: better two compactors on a group (duplicates are collected)
            // than none
            if (!warnedUnassigned) {
                warnedUnassigned = true;
                LOG.log(System.Logger.Level.WARNING, "no Kafka partition assigned after {0}: compacting every group until Kafka answers",
                        syncInterval);
            }
            return true;
        }
        int count = partitions;
        return count > 0 && ownedPartitions.contains(partitionOf(groupKey, count));
    }

    /** The partition Kafka's default partitioner gives a record key. */
    public static int partitionOf(String key, int partitionCount) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    public Set<Integer> ownedPartitions() {
        return Set.copyOf(ownedPartitions);
    }

    public long syncs() {
        return syncs.get();
    }

    public Compactor.SyncReport lastReport() {
        return lastReport;
    }

    /** Null while syncs succeed, else why the last one failed. */
    public String lastError() {
        return lastError;
    }

    /** Time from the last owned block.uploaded event to the start of the sync it triggered (ns), -1 before any. */
    public long lastEventToStartNanos() {
        return lastStartLatencyNanos;
    }

    /** Asks for a sync now. */
    public void wake() {
        synchronized (lock) {
            wake = true;
            lock.notifyAll();
        }
    }

    private void poll() {
        consumer.kafkaConsumer().subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                revoked.forEach(partition -> ownedPartitions.remove(partition.partition()));
                awaitSafePoint();
                LOG.log(System.Logger.Level.INFO, "partitions {0} revoked, now owning {1}", revoked, ownedPartitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                List<PartitionInfo> infos = consumer.kafkaConsumer().partitionsFor(topic);
                partitions = infos == null ? 0 : infos.size();
                assigned.forEach(partition -> ownedPartitions.add(partition.partition()));
                everAssigned = true;
                LOG.log(System.Logger.Level.INFO, "partitions {0} assigned, now owning {1} of {2}", assigned, ownedPartitions, partitions);
                wake();
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                onPartitionsRevoked(lost);
            }
        });
        while (running) {
            try {
                boolean relevant = false;
                for (ConsumerRecord<String, BlockEvent> record : consumer.poll(POLL)) {
                    BlockEvent event = record.value();
                    if (event.type() == BlockEventType.UPLOADED) {
                        compactor.announced(Ulid.parse(event.ulid()));
                        // our own uploads are already planned further in the same sync
                        if (!event.producer().equals(compactor.options().producer()) && owns(event.groupKey())) {
                            relevant = true;
                        }
                    }
                }
                lastPollError = null;
                if (relevant) {
                    lastEventNanos = System.nanoTime();
                    wake();
                }
            } catch (org.apache.kafka.common.errors.WakeupException | org.apache.kafka.common.errors.InterruptException e) {
                break;
            } catch (RuntimeException e) {
                String reason = KafkaErrorMessages.describe(e);
                if (!reason.equals(lastPollError)) { // once per reason, not once a second
                    LOG.log(System.Logger.Level.WARNING, "polling block events failed (the periodic sync goes on): {0}", reason);
                    lastPollError = reason;
                }
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    /** Blocks until the worker is not working on a group this process no longer owns. */
    private void awaitSafePoint() {
        long deadline = System.nanoTime() + REVOKE_WAIT.toNanos();
        synchronized (lock) {
            while (workingOn != null && !owns(workingOn) && System.nanoTime() < deadline) {
                try {
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void work() {
        long nextFullSync = System.nanoTime();
        while (running) {
            synchronized (lock) {
                while (running && !wake && System.nanoTime() < nextFullSync) {
                    try {
                        lock.wait(Math.max(1, (nextFullSync - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wake = false;
            }
            if (!running) {
                return;
            }
            long eventAt = lastEventNanos;
            if (eventAt != 0) {
                lastStartLatencyNanos = System.nanoTime() - eventAt;
                lastEventNanos = 0;
            }
            nextFullSync = System.nanoTime() + syncInterval.toNanos();
            syncLock.lock();
            try {
                lastReport = compactor.sync(group -> {
                    boolean owned = owns(group);
                    if (owned) {
                        setWorkingOn(group);
                    }
                    return owned;
                }, () -> running);
                lastError = null;
            } catch (RuntimeException e) {
                lastError = e.toString();
                LOG.log(System.Logger.Level.ERROR, "compactor sync failed, retrying at the next one: {0}", e.toString());
            } finally {
                setWorkingOn(null);
                syncs.incrementAndGet();
                syncLock.unlock();
            }
        }
    }

    /**
     * Works on one group now for a delivered block event (after the sync running here, if any): compaction while the
     * planner finds work, downsampling, retention and due deletions of that group only.
     *
     * @param event a block event; its block counts as complete at once (no consistency delay), as with Kafka events
     */
    public GroupResult compactGroup(BlockEvent event) {
        String group = compactor.groupKey(event);
        if (event.type() != BlockEventType.UPLOADED) {
            return new GroupResult(GroupResult.Status.NOT_NEEDED, group, "only " + BlockEventType.UPLOADED.cloudEventType() + " events start work");
        }
        compactor.announced(Ulid.parse(event.ulid()));
        if (source == EventSource.KAFKA && !owns(group)) {
            return new GroupResult(GroupResult.Status.RETRY, group, "another member of the compactor consumer group owns this group");
        }
        Compactor.SyncReport report;
        try {
            syncLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GroupResult(GroupResult.Status.RETRY, group, "interrupted while waiting for the running sync");
        }
        try {
            if (!running) {
                return new GroupResult(GroupResult.Status.RETRY, group, "the compactor is shutting down");
            }
            setWorkingOn(group);
            report = compactor.sync(group::equals, () -> running);
            lastReport = report;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "compaction of group {0} for event {1} failed: {2}", group, event.id(), e.toString());
            return new GroupResult(GroupResult.Status.RETRY, group, "compaction failed: " + e.getMessage());
        } finally {
            setWorkingOn(null);
            syncs.incrementAndGet();
            syncLock.unlock();
        }
        if (report.failedGroups().contains(group)) {
            return new GroupResult(GroupResult.Status.RETRY, group, "compaction failed; the compactor's log says why");
        }
        if (report.haltedGroups().contains(group)) {
            return new GroupResult(GroupResult.Status.RETRY, group, "compaction halted: " + compactor.haltedGroups().get(group));
        }
        if (!running) {
            return new GroupResult(GroupResult.Status.RETRY, group, "stopped at a safe point by shutdown");
        }
        if (!report.groups().contains(group)) {
            return new GroupResult(GroupResult.Status.NOT_NEEDED, group, "no block of this group is in the bucket");
        }
        return new GroupResult(GroupResult.Status.DONE, group, report.compactions() + " compactions, " + report.downsamplings()
                + " downsamplings, " + report.markedForDeletion() + " blocks marked for deletion, " + report.deleted() + " deleted");
    }

    private void setWorkingOn(String group) {
        synchronized (lock) {
            workingOn = group;
            lock.notifyAll();
        }
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (consumer != null) {
            consumer.kafkaConsumer().wakeup();
        }
        try {
            worker.join(Duration.ofSeconds(30));
            if (poller != null) {
                poller.join(Duration.ofSeconds(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (consumer != null) {
            consumer.kafkaConsumer().close(Duration.ofSeconds(5));
        }
        if (outboxPublisher != null) {
            outboxPublisher.close();
        }
    }
}
