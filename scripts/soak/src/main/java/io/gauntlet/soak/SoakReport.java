package io.gauntlet.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The query load per chaos phase: how many queries, how many answered fully, partially (with a warning), without a
 * sample only one replica had (penalty deduplication, as Thanos), silently incomplete, wrongly or not at all, and the latency percentiles. Phases are tab-separated lines "start-ms end-ms name";
 * a query in none of them belongs to "calm", one in several to the shortest (faults alongside others last longer).
 * Returns false when any answer was wrong or silently incomplete.
 */
final class SoakReport {
    private SoakReport() {
    }

    record Phase(long start, long end, String name) {
    }

    static boolean print(Path queries, Path phases, StringBuilder firstFailures) throws IOException {
        List<Phase> list = new ArrayList<>();
        if (Files.exists(phases)) {
            for (String line : Files.readAllLines(phases)) {
                String[] f = line.split("\t", 3);
                if (f.length == 3) {
                    list.add(new Phase(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]));
                }
            }
        }
        Map<String, EnumMap<AnswerCheck.Outcome, Integer>> counts = new LinkedHashMap<>();
        Map<String, List<Long>> latencies = new LinkedHashMap<>();
        counts.put("calm", new EnumMap<>(AnswerCheck.Outcome.class));
        latencies.put("calm", new ArrayList<>());
        for (Phase phase : list) {
            counts.putIfAbsent(phase.name(), new EnumMap<>(AnswerCheck.Outcome.class));
            latencies.putIfAbsent(phase.name(), new ArrayList<>());
        }
        int failures = 0;
        for (String line : Files.readAllLines(queries)) {
            String[] f = line.split("\t", 6);
            if (f.length < 5) {
                continue;
            }
            long at = Long.parseLong(f[0]);
            String phase = phaseAt(list, at);
            AnswerCheck.Outcome outcome = AnswerCheck.Outcome.valueOf(f[4]);
            counts.get(phase).merge(outcome, 1, Integer::sum);
            latencies.get(phase).add(Long.parseLong(f[3]));
            if ((outcome == AnswerCheck.Outcome.WRONG || outcome == AnswerCheck.Outcome.SILENT_GAP) && failures++ < 10) {
                firstFailures.append("  ").append(phase).append(": ").append(line.replace('\t', ' ')).append('\n');
            }
        }
        System.out.printf("%-34s %6s %6s %7s %6s %6s %6s %6s %7s %7s %7s %7s%n", "phase", "n", "ok", "partial", "dedup", "silent", "wrong", "error",
                "err%", "p50ms", "p90ms", "p99ms");
        for (Map.Entry<String, EnumMap<AnswerCheck.Outcome, Integer>> entry : counts.entrySet()) {
            EnumMap<AnswerCheck.Outcome, Integer> c = entry.getValue();
            long[] l = latencies.get(entry.getKey()).stream().mapToLong(Long::longValue).sorted().toArray();
            if (l.length == 0) {
                continue;
            }
            int n = l.length;
            System.out.printf("%-34s %6d %6d %7d %6d %6d %6d %6d %6.1f%% %7d %7d %7d%n", entry.getKey(), n, c.getOrDefault(AnswerCheck.Outcome.OK, 0),
                    c.getOrDefault(AnswerCheck.Outcome.PARTIAL, 0), c.getOrDefault(AnswerCheck.Outcome.DEDUP_DROPPED, 0),
                    c.getOrDefault(AnswerCheck.Outcome.SILENT_GAP, 0),
                    c.getOrDefault(AnswerCheck.Outcome.WRONG, 0), c.getOrDefault(AnswerCheck.Outcome.ERROR, 0),
                    100.0 * c.getOrDefault(AnswerCheck.Outcome.ERROR, 0) / n, percentile(l, 0.5), percentile(l, 0.9), percentile(l, 0.99));
        }
        return failures == 0;
    }

    /** The shortest phase {@code at} falls in, or "calm". */
    static String phaseAt(List<Phase> phases, long at) {
        Phase best = null;
        for (Phase p : phases) {
            if (at >= p.start() && at < p.end() && (best == null || p.end() - p.start() < best.end() - best.start())) {
                best = p;
            }
        }
        return best == null ? "calm" : best.name();
    }

    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        long[] copy = Arrays.copyOf(sorted, sorted.length);
        return copy[Math.min(copy.length - 1, (int) Math.ceil(q * copy.length) - 1 < 0 ? 0 : (int) Math.ceil(q * copy.length) - 1)];
    }
}
