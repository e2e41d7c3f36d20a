package io.gauntlet.rules;

import io.gauntlet.tsdb.Labels;

/**
 * One alert instance of an alerting rule (Prometheus' rules.Alert). Times in milliseconds, {@link #UNSET} for Go's zero time. Mutable: only the
 * group's evaluation thread changes it; readers get {@link #snapshot()}s.
 */
public final class Alert {
    /** Go's zero time: a time that was never set. */
    public static final long UNSET = Long.MIN_VALUE;

    AlertState state;
    final Labels labels;
    Labels annotations;
    double value;
    long activeAt;
    long firedAt = UNSET;
    long resolvedAt = UNSET;
    long lastSentAt = UNSET;
    long validUntil = UNSET;
    long keepFiringSince = UNSET;

    Alert(Labels labels, Labels annotations, double value, long activeAt) {
        this.state = AlertState.PENDING;
        this.labels = labels;
        this.annotations = annotations;
        this.value = value;
        this.activeAt = activeAt;
    }

    /** An immutable copy of an alert's state. */
    public record Snapshot(AlertState state, Labels labels, Labels annotations, double value, long activeAt, long firedAt,
            long resolvedAt, long lastSentAt, long validUntil, long keepFiringSince) {
    }

    public Snapshot snapshot() {
        return new Snapshot(state, labels, annotations, value, activeAt, firedAt, resolvedAt, lastSentAt, validUntil, keepFiringSince);
    }

    boolean needsSending(long ts, long resendDelayMillis) {
        if (state == AlertState.PENDING) {
            return false;
        }
        if (resolvedAt > lastSentAt) {
            return true;
        }
        return lastSentAt + resendDelayMillis < ts;
    }
}
