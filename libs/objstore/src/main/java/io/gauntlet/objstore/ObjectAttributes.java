package io.gauntlet.objstore;

import java.time.Instant;

/** What a bucket knows about an object without reading it. */
public record ObjectAttributes(long size, Instant lastModified) {
    public ObjectAttributes {
        if (size < 0) {
            throw new IllegalArgumentException("object size must not be negative, got " + size);
        }
    }
}
