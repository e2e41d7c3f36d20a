package io.gauntlet.tsdb.block;

import io.gauntlet.tsdb.UnsupportedEncodingException;

/** A {@code meta.json} or marker file whose {@code version} is not 1: the block is not read, never misread. */
public final class UnsupportedMetaVersionException extends UnsupportedEncodingException {
    private final String block;
    private final String file;
    private final long version;

    public UnsupportedMetaVersionException(String block, String file, long version) {
        super("block " + block + ": " + file + " has version " + version + "; only version 1 is supported");
        this.block = block;
        this.file = file;
        this.version = version;
    }

    public String block() {
        return block;
    }

    public String file() {
        return file;
    }

    public long version() {
        return version;
    }
}
