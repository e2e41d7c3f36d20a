package io.gauntlet.soak;

import io.gauntlet.seed.MinimalProfile;
import io.gauntlet.seed.SyntheticSeries;
import io.gauntlet.tsdb.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The series every soak exporter serves: the seeder's minimal profile (ten series whose values are functions of time
 * alone), each sample stamped with the scrape time rounded down to the scrape interval. Both replicas of a pair therefore
 * store the same timestamps and values, and any sample anyone returns can be checked exactly.
 */
public final class ExpectedSeries {
    /** Labels Prometheus and Gauntlet add to what the exporter serves; left out when matching a returned series. */
    static final Set<String> ADDED_LABELS = Set.of("instance", "cluster", "prometheus_replica");

    private final long interval;
    private final List<SyntheticSeries> series;
    private final Map<Labels, SyntheticSeries> byLabels = new HashMap<>();

    public ExpectedSeries(long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("the scrape interval must be positive, got " + intervalMs + " ms");
        }
        this.interval = intervalMs;
        this.series = new MinimalProfile().series(1, 0, Long.MAX_VALUE, intervalMs, 42);
        for (SyntheticSeries s : series) {
            byLabels.put(s.labels(), s);
        }
    }

    public long interval() {
        return interval;
    }

    public List<SyntheticSeries> all() {
        return series;
    }

    /** The grid time a scrape at {@code now} stamps its samples with. */
    public long gridTime(long now) {
        return Math.floorDiv(now, interval) * interval;
    }

    public boolean onGrid(long t) {
        return Math.floorMod(t, interval) == 0;
    }

    /** The exporter's series these labels (as returned by Prometheus or the querier) belong to, or null. */
    public SyntheticSeries find(Map<String, String> returned) {
        Map<String, String> own = new HashMap<>(returned);
        own.keySet().removeAll(ADDED_LABELS);
        return byLabels.get(Labels.fromMap(own));
    }

    public static double value(SyntheticSeries series, long t) {
        return series.process().next(t);
    }
}
