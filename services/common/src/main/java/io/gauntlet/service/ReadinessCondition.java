package io.gauntlet.service;

/** One pushed readiness condition of a {@link ReadinessRegistry}; thread-safe. */
public final class ReadinessCondition {
    private final String name;
    private volatile String notReadyReason;

    ReadinessCondition(String name, String initialReason) {
        this.name = name;
        this.notReadyReason = initialReason;
    }

    public String name() {
        return name;
    }

    public void markReady() {
        notReadyReason = null;
    }

    public void markNotReady(String reason) {
        notReadyReason = reason == null || reason.isBlank() ? "not ready" : reason;
    }

    /** Null when ready. */
    public String notReadyReason() {
        return notReadyReason;
    }

    public boolean ready() {
        return notReadyReason == null;
    }
}
