package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;

/** A request touched more series or samples than the store allows (gRPC RESOURCE_EXHAUSTED). */
public final class StoreLimitExceededException extends StorageException {
    public StoreLimitExceededException(String message) {
        super(message);
    }
}
