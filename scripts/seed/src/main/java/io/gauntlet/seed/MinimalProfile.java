package io.gauntlet.seed;

import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ten series, one sample a minute, values that are easy to check by eye: {@code gauntlet_seed_http_requests_total}
 * counters by service and code and {@code gauntlet_seed_temperature_celsius} gauges by room. The end-to-end test uses it
 * because it seeds 30 days in a second.
 */
public final class MinimalProfile implements Profile {
    private static final long HOUR = 3_600_000L;

    @Override
    public String name() {
        return "minimal";
    }

    @Override
    public int defaultInstances() {
        return 1;
    }

    @Override
    public long defaultScrapeInterval() {
        return 60_000L;
    }

    @Override
    public List<SyntheticSeries> series(int instances, long start, long end, long scrapeInterval, long seed) {
        List<SyntheticSeries> out = new ArrayList<>();
        Target never = new Target(new long[] {Long.MIN_VALUE}, 0);
        int index = 0;
        for (String service : List.of("api", "frontend", "storage")) {
            for (String code : List.of("200", "500")) {
                int i = index++;
                // the integral of a rate of (i + 1) × (1.5 + sin(day)) per second since 2023-11-14, so it never decreases
                out.add(SyntheticSeries.always(Labels.fromMap(Map.of(Labels.METRIC_NAME, "gauntlet_seed_http_requests_total", "job", "seed",
                        "service", service, "code", code)), "gauntlet_seed_http_requests", "counter", never, Processes.of(t -> {
                            double day = 2 * Math.PI * (t % (24 * HOUR)) / (24 * HOUR);
                            double seconds = (t - 1_700_000_000_000L) / 1000.0;
                            double daySeconds = 24 * HOUR / 1000.0;
                            return Math.floor((i + 1) * (1.5 * seconds - daySeconds / (2 * Math.PI) * Math.cos(day)));
                        })));
            }
        }
        for (String room : List.of("a", "b", "c", "d")) {
            int i = index++;
            out.add(SyntheticSeries.always(Labels.fromMap(Map.of(Labels.METRIC_NAME, "gauntlet_seed_temperature_celsius", "job", "seed", "room", room)),
                    "gauntlet_seed_temperature_celsius", "gauge", never, Processes.of(t -> {
                        double day = 2 * Math.PI * (t % (24 * HOUR)) / (24 * HOUR);
                        return 20 + i + 5 * Math.sin(day + i);
                    })));
        }
        return out;
    }
}
