package io.gauntlet.tsdb;

import io.gauntlet.tsdb.storage.StorageException;

/**
 * Data in an encoding Gauntlet recognises but does not support (native histogram chunks) or a format
 * version it does not know: reported, never misread.
 */
public class UnsupportedEncodingException extends StorageException {
    public UnsupportedEncodingException(String message) {
        super(message);
    }
}
