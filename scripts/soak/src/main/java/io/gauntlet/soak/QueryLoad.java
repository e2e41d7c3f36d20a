package io.gauntlet.soak;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The soak's query load: through the querier (dedup, partial response allowed), in turn for each cluster, the last
 * minute of raw samples of every series and a range query of the gauges over the last ten minutes, each answer judged by
 * {@link AnswerCheck}. One line per query (tab-separated: epoch ms, kind, cluster, latency ms, outcome, detail). It runs
 * until {@code until} or until the stop file exists, whichever comes first: on a slow machine the faults run past their
 * planned minutes, and the last of them must be under load too.
 */
final class QueryLoad {
    private QueryLoad() {
    }

    static void run(String querier, List<String> clusters, long since, long until, Path stop, Path out, ExpectedSeries expected)
            throws IOException, InterruptedException {
        QueryApi api = new QueryApi(querier, Duration.ofSeconds(30));
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
            int round = 0;
            while (System.currentTimeMillis() < until && (stop == null || !Files.exists(stop))) {
                String cluster = clusters.get(round % clusters.size());
                boolean raw = (round / clusters.size()) % 2 == 0;
                round++;
                long now = System.currentTimeMillis();
                long started = System.nanoTime();
                AnswerCheck.Verdict verdict;
                try {
                    verdict = raw ? rawWindow(api, expected, cluster, since, now) : rangeWindow(api, expected, cluster, since, now);
                } catch (QueryApi.QueryFailed e) {
                    verdict = new AnswerCheck.Verdict(AnswerCheck.Outcome.ERROR, e.getMessage());
                }
                long latency = (System.nanoTime() - started) / 1_000_000;
                log.printf("%d\t%s\t%s\t%d\t%s\t%s%n", now, raw ? "raw" : "range", cluster, latency, verdict.outcome(),
                        verdict.detail().replace('\t', ' ').replace('\n', ' '));
                Thread.sleep(Math.max(0, 500 - latency)); // about two queries a second: load, not a benchmark
            }
        }
    }

    private static AnswerCheck.Verdict rawWindow(QueryApi api, ExpectedSeries expected, String cluster, long since, long now)
            throws QueryApi.QueryFailed, InterruptedException {
        long to = now - 10_000;
        long from = Math.max(since, to - 60_000);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", "{__name__=~\"gauntlet_seed_.+\",cluster=\"" + cluster + "\"}[" + (to - from) + "ms]");
        params.put("time", QueryApi.seconds(to));
        params.put("dedup", "true");
        params.put("partial_response", "true");
        QueryApi.Answer deduplicated = api.query("/api/v1/query", params);
        AnswerCheck.Verdict verdict = AnswerCheck.raw(expected, deduplicated, from, to, 1);
        if (verdict.outcome() != AnswerCheck.Outcome.SILENT_GAP) {
            return verdict;
        }
        // the same window with the replicas apart, from two minutes earlier so deduplication starts as the querier's did
        long lookFrom = Math.max(since, from - 120_000);
        params.put("query", "{__name__=~\"gauntlet_seed_.+\",cluster=\"" + cluster + "\"}[" + (to - lookFrom) + "ms]");
        params.put("dedup", "false");
        return AnswerCheck.explainByPenaltyDedup(expected, verdict, deduplicated, api.query("/api/v1/query", params), lookFrom, from, to, 1);
    }

    private static AnswerCheck.Verdict rangeWindow(QueryApi api, ExpectedSeries expected, String cluster, long since, long now)
            throws QueryApi.QueryFailed, InterruptedException {
        long step = 15_000;
        long end = Math.floorDiv(now - 10_000, step) * step;
        long start = Math.max(Math.floorDiv(since + 30_000 + step - 1, step) * step, end - 600_000);
        if (start > end) {
            start = end;
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", "gauntlet_seed_temperature_celsius{cluster=\"" + cluster + "\"}");
        params.put("start", QueryApi.seconds(start));
        params.put("end", QueryApi.seconds(end));
        params.put("step", "15");
        params.put("dedup", "true");
        params.put("partial_response", "true");
        int gauges = (int) expected.all().stream().filter(s -> s.type().equals("gauge")).count();
        return AnswerCheck.range(expected, api.query("/api/v1/query_range", params), start, end, step, 3 * expected.interval(), gauges);
    }
}
