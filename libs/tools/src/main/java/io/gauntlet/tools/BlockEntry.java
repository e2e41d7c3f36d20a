package io.gauntlet.tools;

import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One block of the bucket as the tools show it: its meta.json and the markers beside it (each null when absent).
 */
public record BlockEntry(BlockMeta meta, DeletionMark deletionMark, NoCompactMark noCompactMark, NoDownsampleMark noDownsampleMark) {

    /** External labels (empty when the block has no thanos section). */
    public Map<String, String> labels() {
        return meta.thanos() == null ? Map.of() : meta.thanos().labels();
    }

    public long resolution() {
        return meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
    }

    public String source() {
        return meta.thanos() == null ? "" : meta.thanos().source();
    }

    /** The marker file names present, in a fixed order. */
    public List<String> marks() {
        List<String> marks = new ArrayList<>(3);
        if (deletionMark != null) {
            marks.add(DeletionMark.FILE);
        }
        if (noCompactMark != null) {
            marks.add(NoCompactMark.FILE);
        }
        if (noDownsampleMark != null) {
            marks.add(NoDownsampleMark.FILE);
        }
        return marks;
    }

    /** Whether every {@code name=value} of {@code selector} is among the block's external labels. */
    public boolean matches(Map<String, String> selector) {
        Map<String, String> labels = labels();
        return selector.entrySet().stream().allMatch(entry -> entry.getValue().equals(labels.get(entry.getKey())));
    }
}
