package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;

/** A backend of a store (Prometheus, the bucket, a remote store) cannot be reached right now: worth retrying. */
public class StoreUnavailableException extends StorageException {
    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
