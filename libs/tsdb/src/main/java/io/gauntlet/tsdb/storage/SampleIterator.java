package io.gauntlet.tsdb.storage;

/**
 * Float samples in increasing timestamp order without allocation per sample (Prometheus'
 * {@code chunkenc.Iterator}). Before the first {@link #next()} or {@link #seek(long)} no sample is
 * current. Errors surface as {@link StorageException} from next/seek: an iterator never silently stops
 * early on bad data.
 */
public interface SampleIterator {
    /** Advances to the next sample; false when exhausted. */
    boolean next() throws StorageException;

    /**
     * Advances to the first sample with timestamp ≥ t; false when there is none. Never moves backwards: if
     * the current sample is already at or after t it stays.
     */
    boolean seek(long t) throws StorageException;

    /** Timestamp of the current sample in milliseconds. */
    long timestamp();

    /** Value of the current sample (staleness markers keep their NaN bit pattern). */
    double value();

    SampleIterator EMPTY = new SampleIterator() {
        @Override
        public boolean next() {
            return false;
        }

        @Override
        public boolean seek(long t) {
            return false;
        }

        @Override
        public long timestamp() {
            throw new IllegalStateException("no sample");
        }

        @Override
        public double value() {
            throw new IllegalStateException("no sample");
        }
    };
}
