package io.gauntlet.tools;

import io.gauntlet.events.EventOutbox;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.shipper.BlockShipper;
import io.gauntlet.shipper.ShipperMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code upload-blocks}: one shipper pass over a local TSDB directory, as Thanos' command runs its shipper — every
 * compaction-level-1 block with samples not yet in the bucket, with the given external labels and source
 * {@code bucket.upload}, {@code meta.json} last; {@code thanos.shipper.json} in the directory records what went up.
 * Each uploaded block's {@code block.uploaded} event is then published.
 */
public final class BlockUploader {
    public static final String SOURCE = "bucket.upload";

    private final Bucket bucket;
    private final ToolEvents events;

    public BlockUploader(Bucket bucket, ToolEvents events) {
        this.bucket = bucket;
        this.events = events;
    }

    /** @return the number of blocks uploaded now */
    public int upload(Path tsdbDirectory, Map<String, String> externalLabels) throws IOException {
        if (!Files.isDirectory(tsdbDirectory)) {
            throw new ToolException("--path " + tsdbDirectory + " is not a directory");
        }
        Path outboxDirectory = Files.createTempDirectory("gauntlet-upload-events");
        try {
            EventOutbox outbox = new EventOutbox(outboxDirectory);
            BlockShipper shipper = new BlockShipper(tsdbDirectory, bucket, externalLabels, SOURCE, events.producer(), outbox,
                    new ShipperMetrics(new SimpleMeterRegistry()), null);
            int uploaded;
            try {
                uploaded = shipper.sync();
            } finally {
                for (EventOutbox.Entry entry : outbox.pending()) { // also the events of blocks uploaded before a failure
                    events.publish(entry.event());
                    outbox.remove(entry);
                }
            }
            return uploaded;
        } catch (io.gauntlet.shipper.ShipperException e) {
            throw new ToolException(e.getMessage());
        } finally {
            io.gauntlet.compact.BlockTransfer.deleteRecursively(outboxDirectory);
        }
    }
}
