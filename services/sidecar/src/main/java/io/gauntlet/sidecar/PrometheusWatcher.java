package io.gauntlet.sidecar;

import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.prometheus.PrometheusDuration;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a sidecar's view of its Prometheus fresh: external labels from the config API, the block duration flags, and
 * the lowest stored timestamp. A refresh never throws: a failure turns into a not-ready state naming the Prometheus.
 * Empty external labels keep the sidecar unready (its series would be indistinguishable from other Prometheus'); a
 * min block duration different from the max block duration is a warning, or a refusal when {@code strictBlockDurations}.
 */
public final class PrometheusWatcher {
    static final String MIN_BLOCK_DURATION_FLAG = "storage.tsdb.min-block-duration";
    static final String MAX_BLOCK_DURATION_FLAG = "storage.tsdb.max-block-duration";
    private static final Logger LOG = Logger.getLogger(PrometheusWatcher.class.getName());

    private final PrometheusClient prometheus;
    private final boolean strictBlockDurations;
    private volatile PrometheusState state = PrometheusState.UNKNOWN;

    public PrometheusWatcher(PrometheusClient prometheus, boolean strictBlockDurations) {
        this.prometheus = prometheus;
        this.strictBlockDurations = strictBlockDurations;
    }

    public PrometheusState state() {
        return state;
    }

    /** Reads the configuration, flags and lowest timestamp again; returns (and keeps) the new state. */
    public synchronized PrometheusState refresh() {
        PrometheusState previous = state;
        PrometheusState next;
        try {
            Labels external = prometheus.externalLabels();
            String warning = blockDurationProblem(prometheus.flags());
            long minTime = prometheus.lowestTimestamp();
            java.util.List<String> reasons = new java.util.ArrayList<>();
            if (external.isEmpty()) {
                reasons.add("prometheus " + prometheus.name() + " has no external labels (global.external_labels in its configuration):"
                        + " a sidecar needs them to tell its series from other Prometheus servers'");
            }
            if (warning != null && strictBlockDurations) {
                reasons.add(warning + " (refused: gauntlet.sidecar.strict-block-durations=true)");
            }
            String reason = reasons.isEmpty() ? null : String.join("; ", reasons);
            next = new PrometheusState(external, minTime, true, reason, warning, System.currentTimeMillis());
        } catch (StorageException | RuntimeException e) {
            next = new PrometheusState(previous.externalLabels(), previous.minTime(), false,
                    e.getMessage() == null ? "prometheus " + prometheus.name() + ": " + e : e.getMessage(),
                    previous.blockDurationWarning(), previous.lastSuccessMillis());
        }
        state = next;
        logChange(previous, next);
        return next;
    }

    /** Why the block duration flags are unsafe, or null when min = max (or the flags cannot be compared). */
    String blockDurationProblem(Map<String, String> flags) {
        String min = flags.get(MIN_BLOCK_DURATION_FLAG);
        String max = flags.get(MAX_BLOCK_DURATION_FLAG);
        if (min == null || max == null) {
            return "prometheus " + prometheus.name() + " does not report --" + MIN_BLOCK_DURATION_FLAG + " and --" + MAX_BLOCK_DURATION_FLAG;
        }
        Duration minDuration;
        Duration maxDuration;
        try {
            minDuration = PrometheusDuration.parse(min);
            maxDuration = PrometheusDuration.parse(max);
        } catch (IllegalArgumentException | ArithmeticException e) {
            return "prometheus " + prometheus.name() + " reports block durations that cannot be read: " + e.getMessage();
        }
        if (!minDuration.equals(maxDuration)) {
            return "prometheus " + prometheus.name() + " runs with --" + MIN_BLOCK_DURATION_FLAG + "=" + min + " and --"
                    + MAX_BLOCK_DURATION_FLAG + "=" + max + ": they must be equal (2h recommended) so that Prometheus does not compact"
                    + " blocks itself, or uploaded blocks overlap";
        }
        return null;
    }

    private void logChange(PrometheusState previous, PrometheusState next) {
        if (next.prometheusUp() != previous.prometheusUp() || !java.util.Objects.equals(next.notReadyReason(), previous.notReadyReason())) {
            if (next.ready()) {
                LOG.info(() -> "prometheus " + prometheus.name() + " ready: external labels " + next.externalLabels() + ", min time " + next.minTime());
            } else {
                LOG.warning(() -> "sidecar not ready: " + next.notReadyReason());
            }
        }
        if (next.blockDurationWarning() != null && !next.blockDurationWarning().equals(previous.blockDurationWarning())) {
            LOG.log(strictBlockDurations ? Level.SEVERE : Level.WARNING, next.blockDurationWarning());
        }
        if (next.externalLabels() != null && previous.externalLabels() != null && !next.externalLabels().equals(previous.externalLabels())) {
            LOG.info(() -> "prometheus " + prometheus.name() + " external labels changed from " + previous.externalLabels() + " to " + next.externalLabels());
        }
    }
}
