package io.gauntlet.bucketstore;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.ForwardingBucket;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A bucket that counts the reads of each block (the objects under {@code <ulid>/}) and lets a test change what a range
 * read returns, e.g. damage the bytes of one read in transit. Everything else passes through unchanged.
 */
final class ObservedBucket extends ForwardingBucket {
    private final Map<String, AtomicLong> reads = new ConcurrentHashMap<>();
    private volatile UnaryOperator<ReadResult> onRead = UnaryOperator.identity();

    /** One range read as the bucket answered it. */
    record ReadResult(String object, long offset, byte[] bytes) {
    }

    ObservedBucket(Bucket delegate) {
        super(delegate);
    }

    /** Reads (get, range get) of objects under {@code <block>/} so far. */
    long reads(String block) {
        AtomicLong count = reads.get(block);
        return count == null ? 0 : count.get();
    }

    /** Replaces what range reads return from now on. */
    void onRead(UnaryOperator<ReadResult> change) {
        this.onRead = change;
    }

    private void count(String name) {
        int slash = name.indexOf('/');
        reads.computeIfAbsent(slash < 0 ? name : name.substring(0, slash), k -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public InputStream get(String name) {
        count(name);
        return super.get(name);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        count(name);
        try (InputStream in = super.getRange(name, offset, length)) {
            return new ByteArrayInputStream(onRead.apply(new ReadResult(name, offset, in.readAllBytes())).bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
