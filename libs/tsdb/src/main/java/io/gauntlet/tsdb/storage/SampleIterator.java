package io.gauntlet.tsdb.storage;

import io.gauntlet.tsdb.histogram.FloatHistogram;

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

    /** Value of the current float sample (staleness markers keep their NaN bit pattern). */
    double value();

    /** What the current sample holds; iterators over float chunks only ever hold floats. */
    default SampleType sampleType() {
        return SampleType.FLOAT;
    }

    /**
     * The current histogram sample (integer histograms converted), valid until the next {@link #next()} or
     * {@link #seek(long)}: the iterator reuses it, so {@link FloatHistogram#copy()} what you keep.
     */
    default FloatHistogram floatHistogram() {
        throw new IllegalStateException("the current sample is a float, not a histogram");
    }

    /**
     * The current {@link SampleType#HISTOGRAM} sample as a new integer histogram (bucket deltas), for writers that
     * encode it again as it was; float histograms have none.
     */
    default io.gauntlet.tsdb.histogram.Histogram histogram() {
        throw new IllegalStateException("the current sample is not an integer histogram");
    }

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
