package io.gauntlet.shipper;

import io.gauntlet.events.OutboxMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The shipper's metrics with Thanos' names ({@code pkg/shipper}): {@code thanos_shipper_dir_syncs_total},
 * {@code thanos_shipper_dir_sync_failures_total}, {@code thanos_shipper_uploads_total},
 * {@code thanos_shipper_upload_failures_total}; plus what Thanos has no name for: the time of the last successful
 * block upload, events published, events waiting in the outbox and failed writes to it (a full disk).
 */
public final class ShipperMetrics implements OutboxMetrics {
    private final Counter dirSyncs;
    private final Counter dirSyncFailures;
    private final Counter uploads;
    private final Counter uploadFailures;
    private final Counter eventsPublished;
    private final Counter outboxWriteFailures;
    private final AtomicLong lastUploadMillis = new AtomicLong();
    private final AtomicInteger outboxSize = new AtomicInteger();

    public ShipperMetrics(MeterRegistry registry) {
        dirSyncs = Counter.builder("thanos_shipper_dir_syncs").description("Total number of dir syncs").register(registry);
        dirSyncFailures = Counter.builder("thanos_shipper_dir_sync_failures").description("Total number of failed dir syncs").register(registry);
        uploads = Counter.builder("thanos_shipper_uploads").description("Total number of uploaded blocks").register(registry);
        uploadFailures = Counter.builder("thanos_shipper_upload_failures").description("Total number of block upload failures").register(registry);
        eventsPublished = Counter.builder("gauntlet_shipper_events_published")
                .description("Block events Kafka acknowledged").register(registry);
        outboxWriteFailures = Counter.builder("gauntlet_shipper_outbox_write_failures")
                .description("Block events that could not be written to the outbox (a full or read-only disk); the block is retried").register(registry);
        Gauge.builder("thanos_shipper_last_upload_timestamp_seconds", lastUploadMillis, millis -> millis.get() / 1000.0)
                .description("Unix time of the last successful block upload (0: none yet)").register(registry);
        Gauge.builder("gauntlet_shipper_outbox_events", outboxSize, AtomicInteger::get)
                .description("Block events waiting in the outbox for Kafka").register(registry);
    }

    void dirSync(boolean failed) {
        dirSyncs.increment();
        if (failed) {
            dirSyncFailures.increment();
        }
    }

    void uploaded() {
        uploads.increment();
        lastUploadMillis.set(System.currentTimeMillis());
    }

    void uploadFailed() {
        uploadFailures.increment();
    }

    void outboxWriteFailed() {
        outboxWriteFailures.increment();
    }

    @Override
    public void eventPublished() {
        eventsPublished.increment();
    }

    @Override
    public void outboxSize(int size) {
        outboxSize.set(size);
    }

    public double uploads() {
        return uploads.count();
    }

    public double uploadFailures() {
        return uploadFailures.count();
    }

    public double outboxWriteFailures() {
        return outboxWriteFailures.count();
    }

    public double eventsPublished() {
        return eventsPublished.count();
    }
}
