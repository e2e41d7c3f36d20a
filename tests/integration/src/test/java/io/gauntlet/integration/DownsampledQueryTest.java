package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.compact.BlockCompactor;
import io.gauntlet.compact.CompactionProgress;
import io.gauntlet.compact.Downsampler;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downsampled blocks end to end: the compactor's downsampler writes 5m and 1h blocks, the store gateway (its fast-jar)
 * serves them from a bucket next to one day of raw data, and the querier (its fast-jar) picks the resolution from
 * {@code max_source_resolution}. The reference is Prometheus 2.42 holding all four days raw (promtool blocks of the
 * same samples).
 *
 * <p>The bucket, as after Thanos' retention by resolution: raw only for the last day, 5m for all four days, 1h for the
 * first two. Scrapes sit 7 s past the minute and values are integers or quarters, so a [1h] window evaluated on the
 * hour covers exactly one hour's aggregates and sums stay exact: {@code sum/min/max_over_time} over downsampled data
 * must equal Prometheus' answer over raw data to the last digit.
 */
class DownsampledQueryTest {
    private static final long H = 3_600_000L;
    private static final long T0 = 1_700_006_400_000L; // 2h-aligned
    private static final long DAYS = 4;
    private static final long END = T0 + DAYS * 24 * H;
    private static final long RAW_FROM = END - 24 * H;
    private static final long ONE_HOUR_UNTIL = T0 + 48 * H;
    private static final int INTERVAL_MS = 60_000;
    private static final int OFFSET_MS = 7_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> EXTERNAL = Map.of("cluster", "it");

    @TempDir
    static Path work;
    private static final ServiceProcess.Group processes = new ServiceProcess.Group();
    private static String prometheus;
    private static String querier;

    @BeforeAll
    static void startStack() throws Exception {
        SampleSet data = generate();

        // the reference: Prometheus over promtool blocks of every sample
        prometheus = processes.add(ServiceProcess.startPrometheus(work, "prometheus", data.openMetrics(T0, END), "")).url();

        // the bucket: raw for the last day, 5m for all, 1h for the first two days
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        Path scratch = Files.createDirectories(work.resolve("scratch"));
        data.writeBlock(bucket, RAW_FROM, END, EXTERNAL);
        Path allRaw = data.writeBlock(scratch, T0, END, EXTERNAL);
        downsample(allRaw, bucket, Downsampler.targetResolution(0));
        Path firstTwoDaysRaw = data.writeBlock(scratch, T0, ONE_HOUR_UNTIL, EXTERNAL);
        Path firstTwoDays5m = downsample(firstTwoDaysRaw, scratch, 300_000L);
        downsample(firstTwoDays5m, bucket, 3_600_000L);

        ServiceProcess gateway = ServiceProcess.startStoreGateway(work, bucket);
        processes.add(gateway);
        ServiceProcess querierProcess = ServiceProcess.startQuerier(work, List.of(gateway));
        processes.add(querierProcess);
        querier = querierProcess.url();
    }

    @AfterAll
    static void stopStack() {
        processes.close();
    }

    @Test
    void rawResolutionSeesOnlyTheRawDay() throws IOException {
        Map<String, TreeMap<Long, String>> raw = gauntlet("sum_over_time(it_temperature_celsius[1h])", "0s");
        Map<String, TreeMap<Long, String>> reference = prometheus("sum_over_time(it_temperature_celsius[1h])");
        assertThat(raw.keySet()).isEqualTo(reference.keySet());
        for (var series : raw.entrySet()) {
            // the first window holding raw samples ends an hour after the raw block starts
            assertThat(series.getValue().firstKey()).isEqualTo((RAW_FROM + H) / 1000);
            assertThat(series.getValue()).as(series.getKey())
                    .isEqualTo(reference.get(series.getKey()).tailMap((RAW_FROM + H) / 1000, true));
        }
    }

    @Test
    void fiveMinuteResolutionAnswersLikeRawData() throws IOException {
        for (String query : List.of("sum_over_time(it_temperature_celsius[1h])", "max_over_time(it_temperature_celsius[1h])",
                "min_over_time(it_temperature_celsius[1h])", "sum_over_time(it_requests_total[2h])",
                "max by (job) (max_over_time(it_requests_total[1h]))")) {
            assertThat(gauntlet(query, "5m")).as(query).isEqualTo(prometheus(query));
        }
    }

    @Test
    void oneHourResolutionFillsItsGapWithFiveMinuteData() throws IOException {
        // 1h blocks exist for the first two days only: the gateway fills the rest with 5m data
        for (String query : List.of("sum_over_time(it_temperature_celsius[1h])", "max_over_time(it_temperature_celsius[3h])",
                "min_over_time(it_requests_total[1h])")) {
            assertThat(gauntlet(query, "1h")).as(query).isEqualTo(prometheus(query));
        }
    }

    @Test
    void autoResolutionPicksFiveMinutesForAnHourlyStep() throws IOException {
        // auto = step / 5 = 12m: the 5m blocks, not raw (which would leave three days empty)
        String query = "max_over_time(it_temperature_celsius[1h])";
        assertThat(gauntlet(query, "auto")).isEqualTo(prometheus(query));
    }

    @Test
    void rateLikeFunctionsReadAtMostHalfTheirRange() throws IOException {
        // as a Thanos querier: a [1h] rate asks for at most 30m resolution, so 1h blocks give way to 5m ones and every
        // window keeps the samples a rate needs; over 1h aggregates the first two days would have no rate at all
        for (String query : List.of("rate(it_requests_total[1h])", "increase(it_requests_total[40m])", "delta(it_temperature_celsius[1h])",
                "deriv(it_temperature_celsius[1h])")) {
            Map<String, TreeMap<Long, String>> capped = gauntlet(query, "1h");
            assertThat(capped).as(query).isEqualTo(gauntlet(query, "5m"));
            Map<String, TreeMap<Long, String>> reference = prometheus(query);
            assertThat(capped.keySet()).as(query).isEqualTo(reference.keySet());
            for (var series : reference.entrySet()) {
                assertThat(capped.get(series.getKey()).keySet()).as(query + " " + series.getKey())
                        .isEqualTo(series.getValue().keySet());
            }
        }
    }

    @Test
    void averagesAndRatesStayCloseToRawData() throws IOException {
        for (String resolution : List.of("5m", "1h")) {
            assertClose(gauntlet("avg_over_time(it_temperature_celsius[1h])", resolution),
                    prometheus("avg_over_time(it_temperature_celsius[1h])"), 1e-12, resolution);
            // Thanos' counter aggregate keeps each window's last value and the resets: rates over more than one
            // aggregate window are close to raw rates, with the extrapolation at the window edges as the difference
            assertClose(gauntlet("rate(it_requests_total[6h])", resolution), prometheus("rate(it_requests_total[6h])"), 0.02,
                    resolution);
        }
    }

    private static void assertClose(Map<String, TreeMap<Long, String>> actual, Map<String, TreeMap<Long, String>> expected,
            double relative, String resolution) {
        assertThat(actual.keySet()).as(resolution).isEqualTo(expected.keySet());
        double worst = 0;
        for (var series : expected.entrySet()) {
            TreeMap<Long, String> got = actual.get(series.getKey());
            assertThat(got.keySet()).as(resolution + " " + series.getKey()).isEqualTo(series.getValue().keySet());
            for (var point : series.getValue().entrySet()) {
                double want = Double.parseDouble(point.getValue());
                double have = Double.parseDouble(got.get(point.getKey()));
                assertThat(Math.abs(have - want)).as(resolution + " " + series.getKey() + " at " + point.getKey() + ": " + have
                        + " vs " + want).isLessThanOrEqualTo(relative * Math.max(1, Math.abs(want)));
                worst = Math.max(worst, Math.abs(have - want) / Math.max(1, Math.abs(want)));
            }
        }
        System.out.printf("downsampled %s: largest relative difference from raw %.3g (allowed %.3g)%n", resolution, worst, relative);
    }

    /** A range query over all four days at a 1h step through the querier; the bucket's external label is dropped. */
    private static Map<String, TreeMap<Long, String>> gauntlet(String query, String resolution) throws IOException {
        return matrix(querier, query, "&max_source_resolution=" + resolution, "cluster");
    }

    private static Map<String, TreeMap<Long, String>> prometheus(String query) throws IOException {
        return matrix(prometheus, query, "", null);
    }

    private static Map<String, TreeMap<Long, String>> matrix(String base, String query, String extra, String dropLabel)
            throws IOException {
        String url = base + "/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start="
                + (T0 + H) / 1000 + "&end=" + END / 1000 + "&step=3600" + extra;
        var response = ServiceProcess.get(url);
        assertThat(response.statusCode()).as(url + " → " + response.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(response.body()).path("data").path("result");
        Map<String, TreeMap<Long, String>> series = new TreeMap<>();
        for (JsonNode one : result) {
            TreeMap<String, String> labels = new TreeMap<>();
            one.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            if (dropLabel != null) {
                labels.remove(dropLabel); // the bucket's external label, unless aggregated away
            }
            TreeMap<Long, String> points = new TreeMap<>();
            for (JsonNode point : one.path("values")) {
                points.put(point.get(0).asLong(), point.get(1).asText());
            }
            series.put(labels.toString(), points);
        }
        assertThat(series).as("answer of " + url).isNotEmpty();
        return series;
    }

    /** Three counters (integer increments, one reset) and three gauges (quarters), a sample a minute, 7 s past it. */
    private static SampleSet generate() {
        Random random = new Random(20261127);
        int n = (int) ((END - T0) / INTERVAL_MS);
        List<SampleSet.Series> out = new ArrayList<>();
        for (String instance : List.of("a", "b", "c")) {
            long[] ts = new long[n];
            double[] counter = new double[n];
            double[] gauge = new double[n];
            double total = 0;
            for (int i = 0; i < n; i++) {
                ts[i] = T0 + OFFSET_MS + (long) i * INTERVAL_MS;
                total = i == n / 3 ? 0 : total + random.nextInt(20); // one restart of the target
                counter[i] = total;
                gauge[i] = random.nextInt(400) / 4.0;
            }
            out.add(new SampleSet.Series(Labels.of("__name__", "it_requests_total", "instance", instance, "job", "api"), ts, counter));
            out.add(new SampleSet.Series(Labels.of("__name__", "it_temperature_celsius", "instance", instance, "job", "api"), ts, gauge));
        }
        out.sort((x, y) -> x.labels().compareTo(y.labels()));
        return new SampleSet(out);
    }

    private static Path downsample(Path source, Path parent, long resolution) throws IOException {
        try {
            BlockCompactor.Result result = new Downsampler().downsample(source, parent, resolution, CompactionProgress.NONE);
            return result.directory();
        } catch (StorageException e) {
            throw new IOException(e);
        }
    }
}
