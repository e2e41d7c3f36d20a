package io.gauntlet.store;

import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SampleType;
import io.gauntlet.tsdb.storage.StorageException;

/**
 * A counter read the way Thanos' querier reads the {@code counter} aggregate of downsampled chunks (its
 * {@code ApplyCounterResetsSeriesIterator}): every float becomes a running total that never goes down — a lower value
 * than the previous one is a reset and adds itself, a higher one adds the difference — so resets inside and between
 * chunks are folded in before PromQL sees the series. A float repeating the previous timestamp is not a sample but the
 * true last raw value of its chunk (what the next chunk's first value is compared with); an older one is skipped, as
 * are NaNs. Histogram samples pass through untouched (Thanos folds floats only). Seeking steps through every sample so
 * that no reset is missed.
 */
public final class CounterResetsSampleIterator implements SampleIterator {
    private SampleIterator samples;
    private boolean started;
    private boolean histogram;
    private boolean onSample;
    private long lastT;
    private double lastV;
    private double total;

    public CounterResetsSampleIterator(SampleIterator samples) {
        this.samples = samples;
    }

    /** Starts over on other samples. */
    public CounterResetsSampleIterator reset(SampleIterator samples) {
        this.samples = samples;
        this.started = false;
        this.histogram = false;
        this.onSample = false;
        this.lastT = 0;
        return this;
    }

    /** The iterator whose samples are folded (to reuse it). */
    public SampleIterator samples() {
        return samples;
    }

    @Override
    public boolean next() throws StorageException {
        return onSample = advance();
    }

    private boolean advance() throws StorageException {
        while (samples.next()) {
            long t = samples.timestamp();
            if (samples.sampleType() != SampleType.FLOAT) {
                histogram = true;
                lastT = t;
                return true;
            }
            double v = samples.value();
            if (Double.isNaN(v)) {
                continue;
            }
            if (!started) {
                started = true;
                histogram = false;
                lastT = t;
                lastV = v;
                total = v;
                return true;
            }
            if (t > lastT) {
                total += v >= lastV ? v - lastV : v;
                histogram = false;
                lastT = t;
                lastV = v;
                return true;
            }
            if (t == lastT) {
                lastV = v; // the chunk's true last value, for the reset check against the next chunk
            }
        }
        return false;
    }

    @Override
    public boolean seek(long t) throws StorageException {
        if (onSample && lastT >= t) {
            return true;
        }
        while (next()) {
            if (lastT >= t) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long timestamp() {
        return lastT;
    }

    @Override
    public double value() {
        return total;
    }

    @Override
    public SampleType sampleType() {
        return histogram ? samples.sampleType() : SampleType.FLOAT;
    }

    @Override
    public FloatHistogram floatHistogram() {
        return samples.floatHistogram();
    }

    @Override
    public Histogram histogram() {
        return samples.histogram();
    }
}
