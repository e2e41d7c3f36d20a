package io.gauntlet.objstore;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Thanos' bucket metrics around any bucket, in the given Micrometer registry. In Prometheus format they read
 * {@code thanos_objstore_bucket_operations_total{bucket,operation}},
 * {@code thanos_objstore_bucket_operation_failures_total{bucket,operation}} and the histogram
 * {@code thanos_objstore_bucket_operation_duration_seconds{bucket,operation}}. As in Thanos, a missing object is
 * an expected outcome, not a failure. For {@code get}/{@code get_range} the duration runs until the caller closes
 * the stream, and a read error counts as a failure, as in Thanos.
 */
public final class InstrumentedBucket implements Bucket {
    /** Operation label values, as Thanos names them. */
    public enum Operation {
        ITER, GET, GET_RANGE, EXISTS, UPLOAD, DELETE, ATTRIBUTES;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String OPERATIONS = "thanos_objstore_bucket_operations";
    public static final String FAILURES = "thanos_objstore_bucket_operation_failures";
    public static final String DURATION = "thanos_objstore_bucket_operation_duration";

    /** Thanos' duration buckets, in seconds. */
    private static final double[] DURATION_BUCKETS = {0.01, 0.1, 0.3, 0.6, 1, 3, 6, 9, 20, 30, 60, 90, 120};

    private final Bucket delegate;
    private final Map<Operation, Meters> meters = new EnumMap<>(Operation.class);

    private record Meters(Counter operations, Counter failures, Timer duration) {
    }

    public InstrumentedBucket(Bucket delegate, MeterRegistry registry) {
        this.delegate = delegate;
        Duration[] slos = new Duration[DURATION_BUCKETS.length];
        for (int i = 0; i < slos.length; i++) {
            slos[i] = Duration.ofNanos((long) (DURATION_BUCKETS[i] * 1e9));
        }
        String bucket = delegate.name();
        for (Operation operation : Operation.values()) {
            meters.put(operation, new Meters(
                    Counter.builder(OPERATIONS).description("Total number of all attempted operations against a bucket.")
                            .tags("bucket", bucket, "operation", operation.label()).register(registry),
                    Counter.builder(FAILURES).description("Total number of operations against a bucket that failed, but were not expected to fail in certain way from caller perspective.")
                            .tags("bucket", bucket, "operation", operation.label()).register(registry),
                    Timer.builder(DURATION).description("Duration of successful operations against the bucket")
                            .tags("bucket", bucket, "operation", operation.label())
                            .serviceLevelObjectives(slos).register(registry)));
        }
    }

    private <T> T measure(Operation operation, Supplier<T> call) {
        Meters m = meters.get(operation);
        m.operations().increment();
        long start = System.nanoTime();
        try {
            T result = call.get();
            m.duration().record(Duration.ofNanos(System.nanoTime() - start));
            return result;
        } catch (ObjectNotFoundException e) {
            throw e; // expected by the caller
        } catch (RuntimeException | Error e) {
            m.failures().increment();
            throw e;
        }
    }

    private void measure(Operation operation, Runnable call) {
        measure(operation, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public void upload(String name, Path file) {
        measure(Operation.UPLOAD, () -> delegate.upload(name, file));
    }

    @Override
    public void upload(String name, InputStream data, long length) {
        measure(Operation.UPLOAD, () -> delegate.upload(name, data, length));
    }

    @Override
    public InputStream get(String name) {
        return measureRead(Operation.GET, () -> delegate.get(name));
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        return measureRead(Operation.GET_RANGE, () -> delegate.getRange(name, offset, length));
    }

    private InputStream measureRead(Operation operation, Supplier<InputStream> open) {
        Meters m = meters.get(operation);
        m.operations().increment();
        long start = System.nanoTime();
        try {
            return new MeasuredStream(open.get(), m, start);
        } catch (ObjectNotFoundException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            m.failures().increment();
            throw e;
        }
    }

    /** Ends the operation's duration at close; a failed read counts as a failed operation (once). */
    private static final class MeasuredStream extends FilterInputStream {
        private final Meters meters;
        private final long start;
        private boolean failed;
        private boolean closed;

        MeasuredStream(InputStream in, Meters meters, long start) {
            super(in);
            this.meters = meters;
            this.start = start;
        }

        private IOException failure(IOException e) {
            if (!failed) {
                failed = true;
                meters.failures().increment();
            }
            return e;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                return in.read(buffer, offset, length);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw failure(e);
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                in.close();
            } finally {
                if (!failed) {
                    meters.duration().record(Duration.ofNanos(System.nanoTime() - start));
                }
            }
        }
    }

    @Override
    public boolean exists(String name) {
        return measure(Operation.EXISTS, () -> delegate.exists(name));
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        measure(Operation.ITER, () -> delegate.iter(dir, recursive, consumer));
    }

    @Override
    public void delete(String name) {
        measure(Operation.DELETE, () -> delegate.delete(name));
    }

    @Override
    public ObjectAttributes attributes(String name) {
        return measure(Operation.ATTRIBUTES, () -> delegate.attributes(name));
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "InstrumentedBucket[" + delegate + "]";
    }
}
