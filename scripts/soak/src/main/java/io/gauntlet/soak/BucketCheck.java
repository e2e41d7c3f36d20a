package io.gauntlet.soak;

import io.gauntlet.seed.SyntheticSeries;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The end check of the bucket: one cluster's raw samples over the soak, read through the querier with dedup from the
 * store gateways alone ({@code storeMatch[]}), against the reference, the two Prometheus replicas that scraped them
 * (never touched by the chaos). Every sample both replicas hold must be there once, nothing neither holds, every value
 * the exporter's.
 */
final class BucketCheck {
    private BucketCheck() {
    }

    record Result(boolean ok, String summary) {
    }

    static Result check(ExpectedSeries expected, QueryApi querier, String storeMatch, String cluster, List<QueryApi> replicas, long from, long to)
            throws QueryApi.QueryFailed, InterruptedException {
        String range = "[" + (to - from) + "ms]";
        Map<SyntheticSeries, TreeSet<Long>> union = new HashMap<>();
        Map<SyntheticSeries, Set<Long>> both = null;
        for (QueryApi replica : replicas) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("query", "{__name__=~\"gauntlet_seed_.+\"}" + range);
            params.put("time", QueryApi.seconds(to));
            Map<SyntheticSeries, Set<Long>> mine = new HashMap<>();
            for (QueryApi.Series series : replica.query("/api/v1/query", params).series()) {
                SyntheticSeries own = expected.find(series.labels());
                if (own == null) {
                    continue;
                }
                Set<Long> times = mine.computeIfAbsent(own, s -> new HashSet<>());
                for (long t : series.times()) {
                    times.add(t);
                    union.computeIfAbsent(own, s -> new TreeSet<>()).add(t);
                }
            }
            if (both == null) {
                both = mine;
            } else {
                for (Map.Entry<SyntheticSeries, Set<Long>> entry : both.entrySet()) {
                    entry.getValue().retainAll(mine.getOrDefault(entry.getKey(), Set.of()));
                }
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", "{__name__=~\"gauntlet_seed_.+\",cluster=\"" + cluster + "\"}" + range);
        params.put("time", QueryApi.seconds(to));
        params.put("dedup", "true");
        params.put("partial_response", "false");
        params.put("storeMatch[]", storeMatch);
        QueryApi.Answer answer = querier.query("/api/v1/query", params);
        int samples = 0;
        int missing = 0;
        int extra = 0;
        String firstProblem = null;
        Set<SyntheticSeries> seen = new HashSet<>();
        for (QueryApi.Series series : answer.series()) {
            SyntheticSeries own = expected.find(series.labels());
            if (own == null || !seen.add(own)) {
                return new Result(false, cluster + ": " + (own == null ? "a series no exporter serves: " : "the series twice: ") + series.labels());
            }
            AnswerCheck.Verdict wrong = AnswerCheck.samples(expected, own, series, from, to);
            if (wrong != null) {
                return new Result(false, cluster + ": " + wrong.detail());
            }
            Set<Long> got = new HashSet<>();
            for (long t : series.times()) {
                got.add(t);
            }
            samples += got.size();
            for (long t : both == null ? Set.<Long>of() : both.getOrDefault(own, Set.of())) {
                if (!got.contains(t)) {
                    missing++;
                    firstProblem = firstProblem == null ? "missing " + own.labels() + " @" + t : firstProblem;
                }
            }
            for (long t : got) {
                if (!union.getOrDefault(own, new TreeSet<>()).contains(t)) {
                    extra++;
                    firstProblem = firstProblem == null ? "in no replica " + own.labels() + " @" + t : firstProblem;
                }
            }
        }
        int unionSamples = union.values().stream().mapToInt(Set::size).sum();
        int bothSamples = both == null ? 0 : both.values().stream().mapToInt(Set::size).sum();
        boolean ok = missing == 0 && extra == 0 && seen.size() == union.size() && union.size() == expected.all().size();
        String summary = String.format("%s: %d series, %d samples in the bucket; the replicas hold %d (both: %d); missing %d, extra %d%s",
                cluster, seen.size(), samples, unionSamples, bothSamples, missing, extra, firstProblem == null ? "" : " (first: " + firstProblem + ")");
        return new Result(ok, summary);
    }

    static QueryApi api(String url) {
        return new QueryApi(url, Duration.ofSeconds(60));
    }
}
