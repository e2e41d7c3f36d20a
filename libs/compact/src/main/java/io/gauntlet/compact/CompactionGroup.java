package io.gauntlet.compact;

import io.gauntlet.tsdb.block.BlockMeta;
import java.util.List;
import java.util.Map;

/**
 * The blocks of one compaction group: same resolution and same external labels (after dropping the deduplication
 * replica labels), sorted by min time. Only blocks of one group are ever compacted together.
 *
 * @param key            {@code <resolution>@<hash of labels>}, the Kafka record key of the group's events
 * @param labels         the group's external labels (without replica labels), the output blocks' {@code thanos.labels}
 */
public record CompactionGroup(String key, long resolution, Map<String, String> labels, List<BlockMeta> blocks) {
    public CompactionGroup {
        labels = Map.copyOf(labels);
        blocks = List.copyOf(blocks);
    }

    @Override
    public String toString() {
        return "group " + key + " " + labels + " (" + blocks.size() + " blocks)";
    }
}
