package io.gauntlet.tsdb.storage;

/** Anything that can be queried over a time range: a block, a set of stores, a remote Prometheus. */
@FunctionalInterface
public interface Queryable {
    /** A querier for samples in {@code [mint, maxt]} (milliseconds, both ends inclusive). */
    Querier querier(long mint, long maxt) throws StorageException;
}
