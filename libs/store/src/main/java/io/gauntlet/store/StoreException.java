package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;

/** A remote store answered with an error or could not be reached; names the store and the gRPC status code. */
public final class StoreException extends StorageException {
    private final String store;
    private final String code;

    public StoreException(String store, String code, String message, Throwable cause) {
        super("store " + store + ": " + code + ": " + message, cause);
        this.store = store;
        this.code = code;
    }

    public String store() {
        return store;
    }

    /** The gRPC status code name, e.g. {@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}. */
    public String code() {
        return code;
    }
}
