package io.gauntlet.tsdb.chunks;

import io.gauntlet.tsdb.UnsupportedEncodingException;

/** The encoding byte stored before every chunk in a segment file (Prometheus {@code chunkenc.Encoding}). */
public enum ChunkEncoding {
    XOR(1),
    HISTOGRAM(2),
    FLOAT_HISTOGRAM(3),
    /** Thanos downsampled chunk: count, sum, min, max and counter sub-chunks. */
    AGGREGATE(0xFF);

    private static final ChunkEncoding[] BY_CODE = new ChunkEncoding[256];

    static {
        for (ChunkEncoding encoding : values()) {
            BY_CODE[encoding.code] = encoding;
        }
    }

    private final int code;

    ChunkEncoding(int code) {
        this.code = code;
    }

    /** The byte written to disk, 0..255. */
    public int code() {
        return code;
    }

    public static boolean isKnown(int code) {
        return code >= 0 && code < 256 && BY_CODE[code] != null;
    }

    /** The encoding for a stored byte; callers that read files check {@link #isKnown(int)} first to report corruption. */
    public static ChunkEncoding ofCode(int code) {
        if (!isKnown(code)) {
            throw new IllegalArgumentException("unknown chunk encoding " + code);
        }
        return BY_CODE[code];
    }

    /** Fails for encodings whose samples Gauntlet cannot decode, so that they are reported and never misread. */
    public void requireFloatSamples() throws UnsupportedEncodingException {
        switch (this) {
            case XOR -> {
            }
            case HISTOGRAM, FLOAT_HISTOGRAM -> throw new UnsupportedEncodingException(
                    "native histogram chunks are not supported (chunk encoding " + code + ")");
            case AGGREGATE -> throw new UnsupportedEncodingException(
                    "a downsampled (aggregate) chunk has no raw samples: read one of its aggregates instead");
        }
    }
}
