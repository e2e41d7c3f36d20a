package io.gauntlet.query;

/** Told about every call to one store, for per-store latency and error metrics. */
@FunctionalInterface
public interface FanOutObserver {
    FanOutObserver NONE = (store, call, nanos, failed) -> { };

    /**
     * @param call   {@code series}, {@code label_names} or {@code label_values}
     * @param nanos  from the start of the call until its last frame (or failure) was read
     */
    void completed(String store, String call, long nanos, boolean failed);
}
