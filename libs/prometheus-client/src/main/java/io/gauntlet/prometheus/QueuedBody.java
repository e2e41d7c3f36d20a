package io.gauntlet.prometheus;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The body of one HTTP answer, handed from Netty's event loop (which decodes the HTTP framing) to the thread that reads
 * it. The reader says how many bytes it needs; the event loop wakes it only once that many are queued (or the body
 * ended or failed), so a frame split over several TCP reads costs one wake-up. Reading stops (auto-read off) while
 * more than {@value #PAUSE_BYTES} bytes wait, and resumes below {@value #RESUME_BYTES}.
 */
final class QueuedBody implements FrameBuffer.Source {
    static final int PAUSE_BYTES = 4 << 20;
    static final int RESUME_BYTES = 1 << 20;

    private final Queue<ByteBuf> queue = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final Channel channel;
    private final long readTimeoutNanos;
    private volatile boolean ended;
    private volatile IOException failure;
    private volatile boolean paused;
    private volatile boolean closed;
    private volatile Thread waiter;
    private volatile long wanted;
    private ByteBuf current; // the reader's, partly read

    QueuedBody(Channel channel, Duration readTimeout) {
        this.channel = channel;
        this.readTimeoutNanos = readTimeout.toNanos();
    }

    // --- event loop side

    /** Takes over a piece of the body (the queue owns it from now on). */
    void offer(ByteBuf content) {
        int size = content.readableBytes();
        if (size == 0) {
            content.release();
            return;
        }
        queue.offer(content);
        long total = queued.addAndGet(size);
        if (closed) {
            drain(); // the reader gave up meanwhile
            return;
        }
        if (total >= PAUSE_BYTES && !paused) {
            paused = true;
            channel.config().setAutoRead(false);
        }
        if (total >= wanted) {
            wake();
        }
    }

    void end() {
        ended = true;
        wake();
    }

    /** The body cannot end well; the first reason given is the one the reader sees. */
    void fail(IOException cause) {
        if (!ended && failure == null) {
            failure = cause;
        }
        wake();
    }

    boolean ended() {
        return ended;
    }

    private void wake() {
        Thread thread = waiter;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    // --- reader side

    @Override
    public int read(byte[] into, int offset, int length, int atLeast) throws IOException {
        int copied = 0;
        long deadline = System.nanoTime() + readTimeoutNanos;
        while (true) {
            int n = take(into, offset + copied, length - copied);
            if (n > 0) {
                copied += n;
                deadline = System.nanoTime() + readTimeoutNanos;
            }
            if (copied >= atLeast || copied == length) {
                return copied;
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            if (ended && queue.isEmpty()) {
                return copied == 0 ? -1 : copied;
            }
            if (closed) {
                throw new IOException("the answer was closed");
            }
            wanted = atLeast - copied;
            waiter = Thread.currentThread();
            try {
                if (queued.get() < wanted && !ended && failure == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException("no data from " + channel.remoteAddress() + " for "
                                + Duration.ofNanos(readTimeoutNanos).toMillis() + " ms");
                    }
                    LockSupport.parkNanos(this, left);
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedIOException("interrupted while waiting for the answer from " + channel.remoteAddress());
                    }
                }
            } finally {
                waiter = null;
                wanted = 0;
            }
        }
    }

    /** Whether the whole body was read by the reader. */
    boolean readToEnd() {
        return ended && failure == null && queue.isEmpty() && (current == null || !current.isReadable());
    }

    /** Drops whatever is queued (the reader is done with the answer). */
    void close() {
        closed = true;
        if (current != null) {
            current.release();
            current = null;
        }
        drain();
        if (paused) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }

    private int take(byte[] into, int offset, int length) {
        int copied = 0;
        while (copied < length) {
            if (current == null) {
                current = queue.poll();
                if (current == null) {
                    break;
                }
                long left = queued.addAndGet(-current.readableBytes());
                if (paused && left < RESUME_BYTES) {
                    paused = false;
                    channel.config().setAutoRead(true);
                }
            }
            int n = Math.min(current.readableBytes(), length - copied);
            current.readBytes(into, offset + copied, n);
            copied += n;
            if (!current.isReadable()) {
                current.release();
                current = null;
            }
        }
        return copied;
    }

    private void drain() {
        ByteBuf buffer;
        while ((buffer = queue.poll()) != null) {
            queued.addAndGet(-buffer.readableBytes());
            buffer.release();
        }
    }
}
