package io.gauntlet.integration;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Generated series (sorted by labels), written as OpenMetrics for promtool or as a block for a bucket. */
record SampleSet(List<Series> series) {
    record Series(Labels labels, long[] timestamps, double[] values) {
    }

    /** OpenMetrics text of the samples in [from, to): one family per metric name, type gauge, ms timestamps. */
    String openMetrics(long from, long to) {
        return openMetrics(t -> t >= from && t < to);
    }

    /** OpenMetrics text of the samples whose timestamp {@code include} accepts. */
    String openMetrics(java.util.function.LongPredicate include) {
        StringBuilder text = new StringBuilder();
        String family = "";
        for (Series one : series) {
            String name = one.labels().get("__name__");
            if (!name.equals(family)) {
                text.append("# TYPE ").append(name).append(" gauge\n");
                family = name;
            }
            StringBuilder labels = new StringBuilder("{");
            for (int i = 0; i < one.labels().size(); i++) {
                if (!one.labels().name(i).equals("__name__")) {
                    labels.append(labels.length() > 1 ? "," : "").append(one.labels().name(i)).append("=\"")
                            .append(one.labels().value(i)).append('"');
                }
            }
            labels.append('}');
            for (int i = 0; i < one.timestamps().length; i++) {
                long t = one.timestamps()[i];
                if (include.test(t)) {
                    text.append(name).append(labels).append(' ').append(one.values()[i]).append(' ').append(t / 1000).append('.')
                            .append(String.format("%03d", t % 1000)).append('\n');
                }
            }
        }
        return text.append("# EOF\n").toString();
    }

    /** A raw block of the samples in [from, to) under {@code parent}, with the external labels a shipper gives it. */
    Path writeBlock(Path parent, long from, long to, Map<String, String> externalLabels) throws IOException {
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(externalLabels, 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(parent, from, to, options)) {
            for (Series one : series) {
                int lo = lowerBound(one.timestamps(), from);
                int hi = lowerBound(one.timestamps(), to);
                if (hi > lo) {
                    writer.addSeries(one.labels(), Arrays.copyOfRange(one.timestamps(), lo, hi), Arrays.copyOfRange(one.values(), lo, hi), hi - lo);
                }
            }
            writer.commit();
            return writer.directory();
        }
    }

    private static int lowerBound(long[] sorted, long key) {
        int i = Arrays.binarySearch(sorted, key);
        return i >= 0 ? i : -i - 1;
    }
}
