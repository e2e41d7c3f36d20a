package io.gauntlet.tsdb.storage;

/** A failure to read stored data: corruption, an unsupported encoding, an unreachable store. */
public class StorageException extends Exception {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
