package io.gauntlet.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;

/**
 * What {@code /-/ready} answers: the service is ready only when every registered condition holds. A condition is
 * either pushed ({@link #condition(String, String)}, updated by whoever watches the dependency) or pulled
 * ({@link #register(String, Supplier)}, asked on every readiness probe).
 */
@ApplicationScoped
public class ReadinessRegistry {
    private final Map<String, Supplier<String>> conditions = new ConcurrentSkipListMap<>();

    /**
     * A pushed condition, not ready with {@code initialReason} until {@link ReadinessCondition#markReady()} is called.
     * Registering a name again returns a fresh condition that replaces the old one.
     */
    public ReadinessCondition condition(String name, String initialReason) {
        ReadinessCondition condition = new ReadinessCondition(name, initialReason);
        conditions.put(name, condition::notReadyReason);
        return condition;
    }

    /** A pulled condition: {@code notReadyReason} returns null when ready, else a one-line reason. */
    public void register(String name, Supplier<String> notReadyReason) {
        conditions.put(name, notReadyReason);
    }

    public void unregister(String name) {
        conditions.remove(name);
    }

    /** The reasons the service is not ready, one per failing condition as {@code name: reason}; empty when ready. */
    public List<String> notReadyReasons() {
        List<String> reasons = new ArrayList<>();
        conditions.forEach((name, check) -> {
            String reason;
            try {
                reason = check.get();
            } catch (RuntimeException e) {
                reason = "readiness check failed: " + e;
            }
            if (reason != null) {
                reasons.add(name + ": " + reason);
            }
        });
        return reasons;
    }

    public boolean ready() {
        return notReadyReasons().isEmpty();
    }
}
