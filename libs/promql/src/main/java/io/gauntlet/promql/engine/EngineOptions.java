package io.gauntlet.promql.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * Engine settings with Prometheus 2.42's defaults: 5m lookback, 50,000,000 samples, 2m timeout, 1m default subquery
 * step; the {@code @} modifier and negative offsets are enabled (as in Prometheus' own tests).
 */
public record EngineOptions(long lookbackDeltaMillis, long maxSamples, Duration timeout, long defaultSubqueryStepMillis,
        boolean enableAtModifier, boolean enableNegativeOffset) {
    public EngineOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (lookbackDeltaMillis <= 0) {
            throw new IllegalArgumentException("lookback delta must be positive, got " + lookbackDeltaMillis);
        }
        if (maxSamples <= 0) {
            throw new IllegalArgumentException("max samples must be positive, got " + maxSamples);
        }
        if (defaultSubqueryStepMillis <= 0) {
            throw new IllegalArgumentException("default subquery step must be positive, got " + defaultSubqueryStepMillis);
        }
    }

    public static EngineOptions defaults() {
        return new EngineOptions(300_000, 50_000_000, Duration.ofMinutes(2), 60_000, true, true);
    }

    public EngineOptions withLookbackDelta(long millis) {
        return new EngineOptions(millis, maxSamples, timeout, defaultSubqueryStepMillis, enableAtModifier, enableNegativeOffset);
    }

    public EngineOptions withMaxSamples(long samples) {
        return new EngineOptions(lookbackDeltaMillis, samples, timeout, defaultSubqueryStepMillis, enableAtModifier, enableNegativeOffset);
    }

    public EngineOptions withTimeout(Duration newTimeout) {
        return new EngineOptions(lookbackDeltaMillis, maxSamples, newTimeout, defaultSubqueryStepMillis, enableAtModifier, enableNegativeOffset);
    }

    public EngineOptions withDefaultSubqueryStep(long millis) {
        return new EngineOptions(lookbackDeltaMillis, maxSamples, timeout, millis, enableAtModifier, enableNegativeOffset);
    }

    public EngineOptions withAtModifier(boolean enabled) {
        return new EngineOptions(lookbackDeltaMillis, maxSamples, timeout, defaultSubqueryStepMillis, enabled, enableNegativeOffset);
    }

    public EngineOptions withNegativeOffset(boolean enabled) {
        return new EngineOptions(lookbackDeltaMillis, maxSamples, timeout, defaultSubqueryStepMillis, enableAtModifier, enabled);
    }
}
