package io.gauntlet.seed;

import io.gauntlet.tsdb.Labels;
import java.util.Objects;

/**
 * One seeded series: its labels, the OpenMetrics family and type it belongs to, the target that exposes it (whose
 * reboots and outages it shares) and how its value moves from one scrape to the next.
 *
 * @param from first time (ms) the series exists (a pod created later, ...); {@code Long.MIN_VALUE} for always
 * @param to   time (ms) from which it no longer exists; {@code Long.MAX_VALUE} for always
 */
public record SyntheticSeries(Labels labels, String family, String type, Target target, long from, long to, ValueProcess process) {
    public SyntheticSeries {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(process, "process");
    }

    /** A series that exists for the whole history. */
    public static SyntheticSeries always(Labels labels, String family, String type, Target target, ValueProcess process) {
        return new SyntheticSeries(labels, family, type, target, Long.MIN_VALUE, Long.MAX_VALUE, process);
    }

    /** True when a scrape at {@code t} returns this series (it exists and its target answers). */
    public boolean scrapedAt(long t) {
        return t >= from && t < to && (process.reportsWhileDown() || target.up(t)) && process.present(t);
    }

    /**
     * How a series' value moves. {@link #next} is called once per scrape in increasing time order for every scrape
     * the series answers (so a process keeps state from one call to the next) and never again for an earlier time.
     */
    public interface ValueProcess {
        double next(long t);

        /** False when the target answers at {@code t} but without this series (a metric that comes and goes). */
        default boolean present(long t) {
            return true;
        }

        /** True for series Prometheus itself writes on every scrape, such as {@code up} (0 while the target is down). */
        default boolean reportsWhileDown() {
            return false;
        }
    }
}
