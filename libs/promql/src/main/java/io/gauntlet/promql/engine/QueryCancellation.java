package io.gauntlet.promql.engine;

/** Lets another thread stop a running query; the engine checks it once per step and per series. */
public final class QueryCancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
