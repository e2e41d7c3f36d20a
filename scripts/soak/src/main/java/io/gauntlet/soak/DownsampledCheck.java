package io.gauntlet.soak;

import io.gauntlet.seed.SeedHistory;
import io.gauntlet.seed.Seeder;
import io.gauntlet.seed.SyntheticSeries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end check of downsampling: the history seeded for one cluster (both replicas' raw blocks, merged by the compactor's
 * vertical compaction and downsampled by it) read through the querier. First the raw samples ({@code
 * max_source_resolution=0s}): each must be one a replica was seeded with (time and value), and every minute of the
 * history must have one. Then, hour by hour, the downsampled resolutions against those raw samples:
 * {@code max_over_time} and {@code min_over_time} exactly, {@code sum_over_time} within rounding, {@code count_over_time}
 * the number of resolution windows that hold samples (the querier reads the count aggregate and counts its samples, one
 * per window, as Thanos does), or one more where a chunk boundary of the source cuts a window (Thanos downsamples
 * aggregates chunk by chunk, so such a window has a sample in each chunk).
 *
 * <p>Each hour {@code [h - 1h, h)} is evaluated at {@code h + 30s}: a downsampled window is stamped within itself (its
 * last millisecond, or its last raw sample), so the range {@code [h + 30s - 1h, h + 30s]} holds exactly the windows of
 * that hour, while raw samples at {@code h} and {@code h + 13.8s} would fall in it. The same query at raw resolution
 * therefore answers differently, which the check prints to show where the answer came from.
 */
final class DownsampledCheck {
    static final long HOUR = 3_600_000L;
    private static final long EVALUATION_OFFSET = 30_000L;
    private static final List<String> FUNCTIONS = List.of("max_over_time", "min_over_time", "sum_over_time", "count_over_time");

    private DownsampledCheck() {
    }

    /** What raw samples of one series give over one hour at a resolution. */
    record HourStats(double max, double min, double sum, int windows) {
        double of(String function) {
            return switch (function) {
                case "max_over_time" -> max;
                case "min_over_time" -> min;
                case "sum_over_time" -> sum;
                case "count_over_time" -> windows;
                default -> throw new IllegalArgumentException("no expectation for " + function);
            };
        }
    }

    /** One series' samples in time order. */
    record Samples(long[] times, double[] values) {
    }

    /** Every sample of every replica the seeder wrote, per series (its labels without the metric name). */
    static Map<Map<String, String>, List<Samples>> seeded(Seeder.Options seeded) {
        Map<Map<String, String>, List<Samples>> out = new HashMap<>();
        try {
            Seeder.generate(seeded, new Seeder.SampleVisitor() {
                @Override
                public void startWindow(long minTime, long maxTime) {
                }

                @Override
                public void series(int replica, SyntheticSeries series, long[] timestamps, double[] values, int count) {
                    out.computeIfAbsent(withoutName(series.labels().toMap()), k -> new ArrayList<>())
                            .add(new Samples(Arrays.copyOf(timestamps, count), Arrays.copyOf(values, count)));
                }

                @Override
                public void endWindow() {
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The first hour boundary of the history and how many whole hours follow it. */
    static long firstHour(Seeder.Options seeded) {
        return Math.floorDiv(seeded.start() + HOUR - 1, HOUR) * HOUR;
    }

    static int hours(Seeder.Options seeded) {
        return (int) ((seeded.end() - firstHour(seeded)) / HOUR);
    }

    /** Per series and hour from {@code first}, the statistics of {@code raw} at {@code resolution}; null for an hour without samples. */
    static Map<Map<String, String>, HourStats[]> expected(Map<Map<String, String>, Samples> raw, long first, int hours, long resolution) {
        Map<Map<String, String>, HourStats[]> out = new HashMap<>();
        int perHour = (int) (HOUR / resolution);
        for (Map.Entry<Map<String, String>, Samples> entry : raw.entrySet()) {
            double[][] stats = newStats(hours);
            boolean[] seen = new boolean[hours * perHour];
            Samples samples = entry.getValue();
            for (int i = 0; i < samples.times().length; i++) {
                long t = samples.times()[i];
                double v = samples.values()[i];
                if (t < first || t >= first + hours * HOUR || Double.doubleToRawLongBits(v) == Seeder.STALE_NAN) {
                    continue;
                }
                int hour = (int) ((t - first) / HOUR);
                stats[0][hour] = Math.max(stats[0][hour], v);
                stats[1][hour] = Math.min(stats[1][hour], v);
                stats[2][hour] += v;
                seen[(int) ((t - first) / resolution)] = true;
            }
            HourStats[] perSeries = new HourStats[hours];
            for (int h = 0; h < hours; h++) {
                int count = 0;
                for (int w = h * perHour; w < (h + 1) * perHour; w++) {
                    count += seen[w] ? 1 : 0;
                }
                perSeries[h] = count == 0 ? null : new HourStats(stats[0][h], stats[1][h], stats[2][h], count);
            }
            out.put(entry.getKey(), perSeries);
        }
        return out;
    }

    private static double[][] newStats(int hours) {
        double[][] stats = new double[3][hours];
        Arrays.fill(stats[0], Double.NEGATIVE_INFINITY);
        Arrays.fill(stats[1], Double.POSITIVE_INFINITY);
        return stats;
    }

    static Map<String, String> withoutName(Map<String, String> labels) {
        Map<String, String> own = new HashMap<>(labels);
        own.remove("__name__");
        own.keySet().removeAll(ExpectedSeries.ADDED_LABELS);
        return own;
    }

    /** The first evaluation time: the end of the first whole hour plus the offset. */
    static long firstEvaluation(long firstHour) {
        return firstHour + HOUR + EVALUATION_OFFSET;
    }

    record Result(boolean ok, String summary) {
    }

    /**
     * One function at one resolution: how many hour values differ from the raw samples' (the first named), and for
     * {@code count_over_time} how many hours held one sample more than windows (a window split between two chunks).
     */
    record Comparison(int points, int differing, String first, int split) {
    }

    static Comparison compare(QueryApi querier, String storeMatch, String cluster, long firstHour, String function,
                              String resolution, Map<Map<String, String>, HourStats[]> expected)
            throws QueryApi.QueryFailed, InterruptedException {
        long from = firstEvaluation(firstHour);
        int hours = expected.values().iterator().next().length;
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", function + "({__name__=~\"gauntlet_seed_.+\",cluster=\"" + cluster + "\"}[1h])");
        params.put("start", QueryApi.seconds(from));
        params.put("end", QueryApi.seconds(from + (hours - 1) * HOUR));
        params.put("step", "3600");
        params.put("dedup", "true");
        params.put("partial_response", "false");
        params.put("max_source_resolution", resolution);
        params.put("storeMatch[]", storeMatch);
        QueryApi.Answer answer = querier.query("/api/v1/query_range", params);
        int points = 0;
        int differing = 0;
        int split = 0;
        String first = null;
        Map<Map<String, String>, Integer> seen = new HashMap<>();
        for (QueryApi.Series series : answer.series()) {
            Map<String, String> key = withoutName(series.labels());
            HourStats[] want = expected.get(key);
            if (want == null || seen.put(key, 1) != null) {
                return new Comparison(0, 1, (want == null ? "a series nobody seeded: " : "the series twice: ") + series.labels(), 0);
            }
            Map<Long, Double> got = new HashMap<>();
            for (int i = 0; i < series.times().length; i++) {
                got.put(series.times()[i], series.values()[i]);
            }
            for (int h = 0; h < hours; h++) {
                if (want[h] == null) {
                    continue;
                }
                points++;
                long t = from + h * HOUR;
                Double value = got.get(t);
                double expect = want[h].of(function);
                // Thanos downsamples aggregates along the source's chunk boundaries: a window a chunk boundary cuts has two samples
                if (value != null && function.equals("count_over_time") && value == expect + 1) {
                    split++;
                } else if (value == null || !close(function, expect, value)) {
                    differing++;
                    if (first == null) {
                        first = key + " @" + t + ": " + value + ", seeded " + expect;
                    }
                }
            }
        }
        for (Map.Entry<Map<String, String>, HourStats[]> entry : expected.entrySet()) {
            if (!seen.containsKey(entry.getKey())) {
                for (HourStats stats : entry.getValue()) {
                    if (stats != null) {
                        points++;
                        differing++;
                    }
                }
                first = first == null ? "no series " + entry.getKey() : first;
            }
        }
        return new Comparison(points, differing, first, split);
    }

    /** Sums are added in another order on the server: equal within a relative 1e-9; the rest exactly. */
    static boolean close(String function, double expected, double got) {
        if (function.equals("sum_over_time")) {
            return Math.abs(expected - got) <= 1e-9 * Math.max(1, Math.abs(expected));
        }
        return expected == got;
    }

    /**
     * The raw samples of the seeded history as the querier returns them, each checked against what the seeder wrote:
     * null (with the reason in {@code problem}) when one is not a seeded sample or a minute has none.
     */
    static Map<Map<String, String>, Samples> raw(QueryApi querier, String storeMatch, String cluster, Seeder.Options seeded,
                                                 Map<Map<String, String>, List<Samples>> written, StringBuilder problem)
            throws QueryApi.QueryFailed, InterruptedException {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("query", "{__name__=~\"gauntlet_seed_.+\",cluster=\"" + cluster + "\"}[" + (seeded.end() - seeded.start()) + "ms]");
        params.put("time", QueryApi.seconds(seeded.end() - 1));
        params.put("dedup", "true");
        params.put("partial_response", "false");
        params.put("max_source_resolution", "0s");
        params.put("storeMatch[]", storeMatch);
        Map<Map<String, String>, Samples> out = new HashMap<>();
        int samples = 0;
        int emptyIntervals = 0;
        int emptyHours = 0;
        for (QueryApi.Series series : querier.query("/api/v1/query", params).series()) {
            Map<String, String> key = withoutName(series.labels());
            List<Samples> replicas = written.get(key);
            if (replicas == null || out.put(key, new Samples(series.times(), series.values())) != null) {
                problem.append(replicas == null ? "a series nobody seeded: " : "the series twice: ").append(series.labels());
                return null;
            }
            for (int i = 0; i < series.times().length; i++) {
                if (!writtenByAReplica(replicas, series.times()[i], series.values()[i])) {
                    problem.append("a raw sample no replica was seeded with: ").append(key).append(" @").append(series.times()[i])
                            .append(' ').append(series.values()[i]);
                    return null;
                }
            }
            samples += series.times().length;
            long interval = seeded.scrapeInterval();
            boolean[] covered = new boolean[(int) ((seeded.end() - seeded.start()) / interval)];
            for (long t : series.times()) {
                covered[(int) ((t - seeded.start()) / interval)] = true;
            }
            int perHour = (int) (HOUR / interval);
            for (int i = 0; i < covered.length; i++) {
                emptyIntervals += covered[i] ? 0 : 1;
                emptyHours += i % perHour == 0 && !anyBetween(covered, i, Math.min(covered.length, i + perHour)) ? 1 : 0;
            }
        }
        // penalty deduplication (the compactor's default) drops the samples of a replica switch's first interval: counted, not failed
        String figures = samples + " raw samples of " + out.size() + " series, each one a replica was seeded with; " + emptyIntervals
                + " scrape intervals without a sample, " + emptyHours + " hours";
        problem.append(figures);
        return out.size() == written.size() && emptyHours == 0 ? out : null;
    }

    private static boolean anyBetween(boolean[] covered, int from, int to) {
        for (int i = from; i < to; i++) {
            if (covered[i]) {
                return true;
            }
        }
        return false;
    }

    private static boolean writtenByAReplica(List<Samples> replicas, long t, double v) {
        for (Samples replica : replicas) {
            int i = Arrays.binarySearch(replica.times(), t);
            if (i >= 0 && Double.doubleToRawLongBits(replica.values()[i]) == Double.doubleToRawLongBits(v)) {
                return true;
            }
        }
        return false;
    }

    /** The raw samples, then every function at each resolution (a duration such as 5m or 1h) against them. */
    static Result check(QueryApi querier, String storeMatch, String cluster, Seeder.Options seeded, List<String> resolutions)
            throws QueryApi.QueryFailed, InterruptedException {
        StringBuilder summary = new StringBuilder(cluster + ": ");
        Map<Map<String, String>, Samples> raw = raw(querier, storeMatch, cluster, seeded, seeded(seeded), summary);
        if (raw == null) {
            return new Result(false, summary.toString());
        }
        long first = firstHour(seeded);
        int hours = hours(seeded);
        boolean ok = true;
        for (String resolution : resolutions) {
            Map<Map<String, String>, HourStats[]> expected = expected(raw, first, hours, SeedHistory.parseDuration(resolution).toMillis());
            summary.append("; at ").append(resolution).append(':');
            for (String function : FUNCTIONS) {
                Comparison c = compare(querier, storeMatch, cluster, first, function, resolution, expected);
                ok &= c.differing() == 0;
                summary.append(' ').append(function).append(' ').append(c.points() - c.differing()).append('/').append(c.points())
                        .append(c.split() == 0 ? "" : " (" + c.split() + " with a window split between two chunks)")
                        .append(c.first() == null ? "" : " (first wrong: " + c.first() + ")");
            }
            // the same maxima at raw resolution: a different hour boundary, so they differ where the hour's extreme is at its edge
            Comparison atRaw = compare(querier, storeMatch, cluster, first, "max_over_time", "0s", expected);
            summary.append(", max_over_time at raw resolution differs in ").append(atRaw.differing()).append('/').append(atRaw.points());
        }
        summary.append(" (hours right)");
        return new Result(ok, summary.toString());
    }
}
