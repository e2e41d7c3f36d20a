package io.gauntlet.tools;

import io.gauntlet.compact.BlockEventSink;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Block events of the tools' writes, sent to a sink (Kafka when configured) after the write is in the bucket; a
 * failed publication is remembered, so the command can say that the bucket changed but consumers learn of it only at
 * their next scan.
 */
public final class ToolEvents {
    private final BlockEventSink sink;
    private final String producer;
    private final List<String> failures = new ArrayList<>();

    public ToolEvents(BlockEventSink sink, String producer) {
        this.sink = sink;
        this.producer = producer;
    }

    public static ToolEvents none() {
        return new ToolEvents(BlockEventSink.NONE, "gauntlet/tools");
    }

    void publish(BlockEventType type, BlockMeta meta) {
        Map<String, String> labels = meta.thanos() == null ? Map.of() : meta.thanos().labels();
        List<String> sources = meta.compaction().sources().stream().map(Ulid::toString).sorted().toList();
        long resolution = meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
        BlockEvent event = BlockEvent.of(type, meta.ulid().toString(), meta.minTime(), meta.maxTime(), Labels.fromMap(labels), resolution,
                Math.max(1, meta.compaction().level()), sources.isEmpty() ? List.of(meta.ulid().toString()) : sources,
                new BlockStats(meta.stats().numSamples(), meta.stats().numSeries(), meta.stats().numChunks()), producer);
        publish(event);
    }

    void publish(BlockEvent event) {
        try {
            sink.publish(event);
        } catch (IOException | RuntimeException e) {
            failures.add(event.type().cloudEventType() + " of block " + event.ulid() + ": " + e.getMessage());
        }
    }

    String producer() {
        return producer;
    }

    /** The events that could not be published, each with its reason. */
    public List<String> failures() {
        return List.copyOf(failures);
    }
}
