package io.gauntlet.sidecar;

import io.gauntlet.tsdb.Labels;

/**
 * What a sidecar last learned about its Prometheus. {@code externalLabels} is null until the configuration was read
 * once (later failures keep the last known labels); {@code notReadyReason} is null when the sidecar can serve;
 * {@code lastSuccessMillis} is the wall time of the last complete refresh (0 = never).
 */
public record PrometheusState(Labels externalLabels, long minTime, boolean prometheusUp, String notReadyReason,
        String blockDurationWarning, long lastSuccessMillis) {
    public static final PrometheusState UNKNOWN = new PrometheusState(null, Long.MIN_VALUE, false,
            "the Prometheus configuration has not been read yet", null, 0);

    public boolean ready() {
        return notReadyReason == null;
    }
}
