package io.gauntlet.tools;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.compact.BlockVerifier;
import io.gauntlet.compact.BucketScan;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code verify}: the checks Thanos' bucket verifier runs, on every block not marked for deletion — blocks of one
 * group (external labels and resolution) overlapping in time, two blocks compacted from the same sources, and each
 * block's index and chunks (series order, chunks in range and in order, CRCs, counts against meta.json) — plus what
 * a Thanos reader would trip on: partial uploads (no meta.json) and unreadable meta.json files.
 */
public final class BucketVerifier {
    public static final String OVERLAPPED_BLOCKS = "overlapped_blocks";
    public static final String DUPLICATED_COMPACTION = "duplicated_compaction";
    public static final String INDEX_KNOWN_ISSUES = "index_known_issues";
    public static final String PARTIAL_UPLOAD = "partial_upload";
    public static final String UNREADABLE_META = "unreadable_meta";
    public static final List<String> ALL = List.of(OVERLAPPED_BLOCKS, DUPLICATED_COMPACTION, INDEX_KNOWN_ISSUES, PARTIAL_UPLOAD, UNREADABLE_META);

    /** One problem: its kind (a Thanos verifier name where Thanos has one), the blocks involved and what is wrong. */
    public record Issue(String kind, List<Ulid> blocks, String detail) {
        public Issue {
            blocks = List.copyOf(blocks);
        }

        @Override
        public String toString() {
            return kind + " " + blocks + ": " + detail;
        }
    }

    private final Bucket bucket;
    private final Path scratch;

    /** @param scratch where blocks are downloaded one at a time for the index check */
    public BucketVerifier(Bucket bucket, Path scratch) {
        this.bucket = bucket;
        this.scratch = scratch;
    }

    /** Runs the checks named in {@code kinds} (see {@link #ALL}); issues in check order, then by block. */
    public List<Issue> verify(Set<String> kinds) throws IOException {
        for (String kind : kinds) {
            if (!ALL.contains(kind)) {
                throw new ToolException("unknown issue kind " + kind + "; one of " + String.join(", ", ALL));
            }
        }
        BucketScan.Snapshot snapshot = new BucketScan(bucket).scan();
        List<BlockMeta> live = snapshot.metas().values().stream().filter(meta -> !snapshot.deletionMarks().containsKey(meta.ulid()))
                .toList();
        List<Issue> issues = new ArrayList<>();
        if (kinds.contains(UNREADABLE_META)) {
            snapshot.unreadable().forEach((ulid, reason) -> issues.add(new Issue(UNREADABLE_META, List.of(ulid), reason)));
        }
        if (kinds.contains(PARTIAL_UPLOAD)) {
            for (Ulid partial : snapshot.partials()) {
                if (!snapshot.deletionMarks().containsKey(partial)) {
                    issues.add(new Issue(PARTIAL_UPLOAD, List.of(partial), "no meta.json (an upload in progress or abandoned)"));
                }
            }
        }
        if (kinds.contains(OVERLAPPED_BLOCKS)) {
            issues.addAll(overlaps(live));
        }
        if (kinds.contains(DUPLICATED_COMPACTION)) {
            issues.addAll(duplicatedCompactions(live));
        }
        if (kinds.contains(INDEX_KNOWN_ISSUES)) {
            for (BlockMeta meta : live) {
                indexIssue(meta).ifPresent(issues::add);
            }
        }
        return issues;
    }

    private static Map<String, List<BlockMeta>> groups(List<BlockMeta> metas) {
        Map<String, List<BlockMeta>> groups = new TreeMap<>();
        for (BlockMeta meta : metas) {
            long resolution = meta.thanos() == null ? 0 : meta.thanos().downsample().resolution();
            Map<String, String> labels = meta.thanos() == null ? Map.of() : meta.thanos().labels();
            groups.computeIfAbsent(resolution + "@" + GoFormat.labels(labels), key -> new ArrayList<>()).add(meta);
        }
        return groups;
    }

    /** Pairs of blocks of one group whose [minTime, maxTime) ranges intersect. */
    static List<Issue> overlaps(List<BlockMeta> metas) {
        List<Issue> issues = new ArrayList<>();
        groups(metas).forEach((group, blocks) -> {
            List<BlockMeta> sorted = new ArrayList<>(blocks);
            sorted.sort(Comparator.comparingLong(BlockMeta::minTime).thenComparingLong(BlockMeta::maxTime).thenComparing(BlockMeta::ulid));
            for (int i = 0; i < sorted.size(); i++) {
                for (int j = i + 1; j < sorted.size() && sorted.get(j).minTime() < sorted.get(i).maxTime(); j++) {
                    BlockMeta a = sorted.get(i);
                    BlockMeta b = sorted.get(j);
                    issues.add(new Issue(OVERLAPPED_BLOCKS, List.of(a.ulid(), b.ulid()), "group " + group + ": [" + a.minTime() + ", "
                            + a.maxTime() + ") overlaps [" + b.minTime() + ", " + b.maxTime() + ") by "
                            + GoFormat.duration(Math.min(a.maxTime(), b.maxTime()) - b.minTime())));
                }
            }
        });
        return issues;
    }

    /** Blocks of one group compacted from exactly the same sources (a compaction done twice). */
    static List<Issue> duplicatedCompactions(List<BlockMeta> metas) {
        List<Issue> issues = new ArrayList<>();
        groups(metas).forEach((group, blocks) -> {
            Map<Set<Ulid>, List<Ulid>> bySources = new LinkedHashMap<>();
            for (BlockMeta meta : blocks) {
                if (meta.compaction().level() > 1) {
                    bySources.computeIfAbsent(new HashSet<>(meta.compaction().sources()), key -> new ArrayList<>()).add(meta.ulid());
                }
            }
            bySources.forEach((sources, ulids) -> {
                if (ulids.size() > 1) {
                    issues.add(new Issue(DUPLICATED_COMPACTION, ulids.stream().sorted().toList(), "group " + group + ": compacted from the same "
                            + sources.size() + " sources " + new TreeSet<>(sources)));
                }
            });
        });
        return issues;
    }

    private java.util.Optional<Issue> indexIssue(BlockMeta meta) throws IOException {
        String prefix = meta.ulid() + Bucket.DELIMITER;
        Set<String> objects = new HashSet<>(bucket.list(prefix, true));
        List<String> missing = new ArrayList<>();
        if (!objects.contains(prefix + "index")) {
            missing.add("index");
        }
        if (meta.thanos() != null) {
            for (BlockMeta.File file : meta.thanos().files()) {
                if (!file.relPath().equals(BlockMeta.FILE) && !file.relPath().equals("index") && !objects.contains(prefix + file.relPath())) {
                    missing.add(file.relPath());
                }
            }
        }
        if (!missing.isEmpty()) {
            return java.util.Optional.of(new Issue(INDEX_KNOWN_ISSUES, List.of(meta.ulid()), "missing " + String.join(", ", missing)));
        }
        Files.createDirectories(scratch);
        Path block = BlockTransfer.download(bucket, meta.ulid(), scratch);
        try {
            List<String> problems = BlockVerifier.verify(block);
            return problems.isEmpty() ? java.util.Optional.empty()
                    : java.util.Optional.of(new Issue(INDEX_KNOWN_ISSUES, List.of(meta.ulid()), String.join("; ", problems)));
        } catch (IOException e) {
            return java.util.Optional.of(new Issue(INDEX_KNOWN_ISSUES, List.of(meta.ulid()), "unreadable: " + e.getMessage()));
        } finally {
            BlockTransfer.deleteRecursively(block);
        }
    }
}
