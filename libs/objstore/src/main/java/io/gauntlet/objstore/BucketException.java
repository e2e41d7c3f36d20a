package io.gauntlet.objstore;

/** A bucket operation failed (after retries): unreachable server, denied access, broken configuration, I/O error. */
public class BucketException extends RuntimeException {
    public BucketException(String message) {
        super(message);
    }

    public BucketException(String message, Throwable cause) {
        super(message, cause);
    }
}
