package io.gauntlet.tools;

import io.gauntlet.compact.BucketScan;
import io.gauntlet.objstore.Bucket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The blocks of a bucket with their markers ({@code ls} and {@code inspect}), in ULID order. */
public final class BucketInventory {
    private final BucketScan.Snapshot snapshot;
    private final List<BlockEntry> blocks;

    private BucketInventory(BucketScan.Snapshot snapshot, List<BlockEntry> blocks) {
        this.snapshot = snapshot;
        this.blocks = List.copyOf(blocks);
    }

    /** Lists the bucket once; blocks whose external labels do not carry every pair of {@code selector} are left out. */
    public static BucketInventory scan(Bucket bucket, Map<String, String> selector) {
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<BlockEntry> blocks = new ArrayList<>();
        snapshot.metas().forEach((ulid, meta) -> {
            BlockEntry entry = new BlockEntry(meta, snapshot.deletionMarks().get(ulid), snapshot.noCompactMarks().get(ulid),
                    snapshot.noDownsampleMarks().get(ulid));
            if (entry.matches(selector)) {
                blocks.add(entry);
            }
        });
        // in the bucket's (lexical) order, as Thanos lists them: the scan's map has no order of its own
        blocks.sort(java.util.Comparator.comparing(block -> block.meta().ulid().toString()));
        return new BucketInventory(snapshot, blocks);
    }

    /** The same listing without the blocks marked for deletion ({@code --exclude-delete}). */
    public BucketInventory withoutDeletionMarked() {
        return new BucketInventory(snapshot, blocks.stream().filter(block -> block.deletionMark() == null).toList());
    }

    public List<BlockEntry> blocks() {
        return blocks;
    }

    public BucketScan.Snapshot snapshot() {
        return snapshot;
    }

    /** {@code ls} without {@code -o}: one ULID a line, as Thanos prints. */
    public String ulids() {
        StringBuilder out = new StringBuilder();
        blocks.forEach(block -> out.append(block.meta().ulid()).append('\n'));
        return out.toString();
    }

    /** {@code ls -o wide}: Thanos' line per block (RFC 3339 times, Go duration). */
    public String wide() {
        StringBuilder out = new StringBuilder();
        for (BlockEntry block : blocks) {
            long from = Math.floorDiv(block.meta().minTime(), 1000) * 1000;
            long until = Math.floorDiv(block.meta().maxTime(), 1000) * 1000;
            out.append(block.meta().ulid()).append(" -- ").append(GoFormat.rfc3339(from)).append(" - ").append(GoFormat.rfc3339(until))
                    .append(" Diff: ").append(GoFormat.duration(until - from)).append(", Compaction: ").append(block.meta().compaction().level())
                    .append(", Downsample: ").append(block.resolution()).append(", Source: ").append(block.source()).append('\n');
        }
        return out.toString();
    }

    /** {@code ls -o json}: each meta.json as Thanos' encoder writes it (tab-indented, one after the other). */
    public String json() {
        StringBuilder out = new StringBuilder();
        for (BlockEntry block : blocks) {
            String text = new String(block.meta().toJson(), StandardCharsets.UTF_8);
            out.append(text);
            if (!text.endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** {@code inspect}: a table of the blocks with their stats, level, resolution, source, labels and markers. */
    public String table() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ULID", "FROM", "UNTIL", "RANGE", "SERIES", "SAMPLES", "CHUNKS", "LEVEL", "RESOLUTION", "SOURCE", "LABELS", "MARKS"});
        for (BlockEntry block : blocks) {
            var meta = block.meta();
            rows.add(new String[] {meta.ulid().toString(), GoFormat.rfc3339(meta.minTime()), GoFormat.rfc3339(meta.maxTime()),
                    GoFormat.duration(meta.maxTime() - meta.minTime()), Long.toString(meta.stats().numSeries()),
                    Long.toString(meta.stats().numSamples()), Long.toString(meta.stats().numChunks()),
                    Integer.toString(meta.compaction().level()), GoFormat.duration(block.resolution()), block.source(),
                    GoFormat.labels(block.labels()), block.marks().isEmpty() ? "-" : String.join(",", block.marks())});
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
