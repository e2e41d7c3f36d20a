package io.gauntlet.events;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.XxHash64;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * The compaction group of a block, {@code "<resolution>@<hash>"}, exactly as Thanos' {@code DefaultGroupKey}
 * writes it: the hash is Prometheus' {@code labels.Hash()} of the external labels (xxHash64 over
 * name 0xFF value 0xFF for each label in name order), printed as an unsigned decimal.
 */
public final class CompactionGroupKey {
    private static final int SEPARATOR = 0xFF;

    private CompactionGroupKey() {
    }

    public static String of(long resolution, Labels externalLabels) {
        return resolution + "@" + Long.toUnsignedString(hash(externalLabels));
    }

    /** From meta.json's {@code thanos.labels}; entries with empty values count, as in Thanos' {@code labels.FromMap}. */
    public static String of(long resolution, Map<String, String> externalLabels) {
        return resolution + "@" + Long.toUnsignedString(hash(externalLabels));
    }

    /** Prometheus' {@code labels.Hash()}. */
    public static long hash(Labels labels) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        labels.forEach((name, value) -> append(bytes, name, value));
        return XxHash64.hash(bytes.toByteArray());
    }

    public static long hash(Map<String, String> labels) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        sortedByBytes(labels).forEach((name, value) -> append(bytes, name, value));
        return XxHash64.hash(bytes.toByteArray());
    }

    /** Names in UTF-8 byte order, as Go sorts the label set it hashes. */
    private static Map<String, String> sortedByBytes(Map<String, String> labels) {
        Map<String, String> sorted = new TreeMap<>(Labels::compareStrings);
        sorted.putAll(labels);
        return sorted;
    }

    private static void append(ByteArrayOutputStream bytes, String name, String value) {
        bytes.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        bytes.write(SEPARATOR);
        bytes.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        bytes.write(SEPARATOR);
    }
}
