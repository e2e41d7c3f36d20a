package io.gauntlet.store;

/** What a failing store does to a query that reads several (storepb {@code PartialResponseStrategy}). */
public enum PartialResponse {
    /** The failure becomes a warning; the other stores' series are still returned. */
    WARN,
    /** The failure fails the query. */
    ABORT
}
