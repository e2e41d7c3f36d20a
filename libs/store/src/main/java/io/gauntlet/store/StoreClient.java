package io.gauntlet.store;

import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One StoreAPI endpoint (a Thanos or Gauntlet sidecar, store gateway, ruler, querier) over grpc-java. Series come
 * back as a pull-based {@link StoreSeriesSet}: at most {@code prefetch} messages are requested ahead of the reader,
 * so a slow reader slows the store down instead of filling memory.
 */
public final class StoreClient implements AutoCloseable {
    private static final int DEFAULT_PREFETCH = 16;
    private static final MethodDescriptor.Marshaller<SeriesRequest> SERIES_REQUEST = ProtoUtils.marshaller(SeriesRequest.getDefaultInstance());

    private final String name;
    private final Channel channel;
    private final ManagedChannel owned; // null when the caller owns the channel
    private final Duration timeout;
    private final int prefetch;
    private final String compression; // null: uncompressed requests

    /** A client over a channel the caller owns (and shuts down); every call gets {@code timeout} as deadline. */
    public StoreClient(String name, Channel channel, Duration timeout) {
        this(name, channel, timeout, DEFAULT_PREFETCH, false);
    }

    /**
     * @param prefetch Series frames requested ahead of the reader
     * @param snappy   compress requests with {@link SnappyCodec}; the channel needs {@link SnappyCodec#compressors()}
     *                 and {@link SnappyCodec#decompressors()}
     */
    public StoreClient(String name, Channel channel, Duration timeout, int prefetch, boolean snappy) {
        this(name, channel, null, timeout, prefetch, snappy);
    }

    private StoreClient(String name, Channel channel, ManagedChannel owned, Duration timeout, int prefetch, boolean snappy) {
        if (prefetch < 1) {
            throw new IllegalArgumentException("prefetch must be >= 1, got " + prefetch);
        }
        this.name = name;
        this.channel = channel;
        this.owned = owned;
        this.timeout = timeout;
        this.prefetch = prefetch;
        this.compression = snappy ? SnappyCodec.NAME : null;
    }

    /** A plaintext client for {@code host:port}; closing the client shuts the channel down. */
    public static StoreClient connect(String target, Duration timeout) {
        return connect(target, timeout, false);
    }

    /**
     * A plaintext client for {@code host:port} that owns its channel; with {@code snappy} requests are
     * snappy-compressed (Thanos {@code --grpc-compression=snappy}) and Thanos servers answer in kind.
     */
    public static StoreClient connect(String target, Duration timeout, boolean snappy) {
        ManagedChannel channel = Grpc.newChannelBuilder(target, InsecureChannelCredentials.create())
                .maxInboundMessageSize(Integer.MAX_VALUE)
                .compressorRegistry(SnappyCodec.compressors())
                .decompressorRegistry(SnappyCodec.decompressors())
                .disableRetry() // no call is retried, and the retry buffering costs every call
                .build();
        return new StoreClient(target, channel, channel, timeout, DEFAULT_PREFETCH, snappy);
    }

    public String name() {
        return name;
    }

    /** The connection to the endpoint, for its other Thanos APIs (e.g. {@link MetadataClient}); owned by this client. */
    public Channel channel() {
        return channel;
    }

    private CallOptions callOptions() {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return compression == null ? options : options.withCompression(compression);
    }

    public InfoResponse info() throws StoreException {
        try {
            return ClientCalls.blockingUnaryCall(channel, InfoGrpc.getInfoMethod(), callOptions(), InfoRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw failure(e.getStatus());
        }
    }

    /** Info with what the store reported of its corrupted blocks (Gauntlet stores send them in a response header). */
    public record InfoAnswer(InfoResponse info, CorruptedBlocksHeader.Report corruptedBlocks) {
    }

    public InfoAnswer infoWithCorruptedBlocks() throws StoreException {
        java.util.concurrent.atomic.AtomicReference<Metadata> headers = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Metadata> trailers = new java.util.concurrent.atomic.AtomicReference<>();
        Channel capturing = io.grpc.ClientInterceptors.intercept(channel, io.grpc.stub.MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));
        try {
            InfoResponse info = ClientCalls.blockingUnaryCall(capturing, InfoGrpc.getInfoMethod(), callOptions(), InfoRequest.getDefaultInstance());
            return new InfoAnswer(info, CorruptedBlocksHeader.decode(headers.get()));
        } catch (StatusRuntimeException e) {
            throw failure(e.getStatus());
        }
    }

    public LabelNamesResponse labelNames(LabelNamesRequest request) throws StoreException {
        try {
            return ClientCalls.blockingUnaryCall(channel, StoreGrpc.getLabelNamesMethod(), callOptions(), request);
        } catch (StatusRuntimeException e) {
            throw failure(e.getStatus());
        }
    }

    public LabelValuesResponse labelValues(LabelValuesRequest request) throws StoreException {
        try {
            return ClientCalls.blockingUnaryCall(channel, StoreGrpc.getLabelValuesMethod(), callOptions(), request);
        } catch (StatusRuntimeException e) {
            throw failure(e.getStatus());
        }
    }

    /** Starts a Series call; errors surface from {@link StoreSeriesSet#next()} as {@link StoreException}. */
    public StoreSeriesSet series(SeriesRequest request) {
        // answers are read by a decoder of this call's own (it keeps the call's label strings), straight into labels and chunks
        MethodDescriptor<SeriesRequest, SeriesResponseDecoder.Decoded> method = StoreGrpc.getSeriesMethod()
                .toBuilder(SERIES_REQUEST, new SeriesResponseDecoder(name)).build();
        RemoteSeriesSet set = new RemoteSeriesSet();
        // the listener only queues frames for the reader, so it runs on the transport thread, and wakes the reader
        // once per batch of frames gRPC delivers rather than once per frame
        ClientCall<SeriesRequest, SeriesResponseDecoder.Decoded> call = channel.newCall(method, callOptions().withExecutor(set::deliver));
        set.start(call);
        call.start(set.listener(), new Metadata());
        call.sendMessage(request);
        call.halfClose();
        call.request(prefetch);
        return set;
    }

    /** Shuts the channel down when {@link #connect} created it; a caller's channel stays open. */
    @Override
    public void close() {
        if (owned != null) {
            owned.shutdownNow();
        }
    }

    private StoreException failure(Status status) {
        String description = status.getDescription() == null ? "" : status.getDescription();
        if (status.getCause() != null && description.isEmpty()) {
            description = status.getCause().toString();
        }
        return new StoreException(name, status.getCode().name(), description, status.getCause());
    }

    /**
     * Received frames, handed from the gRPC thread to the reader in batches. At most {@code prefetch} frames are
     * requested and not yet taken by the reader; they are requested again in steps of half the prefetch.
     */
    private final class RemoteSeriesSet implements StoreSeriesSet {
        private ClientCall<SeriesRequest, SeriesResponseDecoder.Decoded> call;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition arrived = lock.newCondition();
        private ArrayDeque<SeriesResponseDecoder.Decoded> incoming = new ArrayDeque<>(); // guarded by lock
        private boolean ended; // guarded by lock
        private Status closeStatus; // guarded by lock
        private volatile boolean unannounced; // frames queued since the reader was last woken; whoever clears it wakes the reader
        private ArrayDeque<SeriesResponseDecoder.Decoded> taken = new ArrayDeque<>(); // reader only
        private final int requestStep = Math.max(1, prefetch / 2);
        private int owed; // frames taken and not yet requested again
        private List<SeriesResponseDecoder.DecodedSeries> current = List.of();
        private int currentIndex;
        private final List<String> warnings = new ArrayList<>();
        private boolean done;
        private volatile boolean closed; // close() may come from another thread, e.g. a query timeout
        private Labels labels;
        private List<EncodedChunk> chunks = List.of();

        void start(ClientCall<SeriesRequest, SeriesResponseDecoder.Decoded> call) {
            this.call = call;
        }

        /** The call's executor: runs gRPC's callbacks on its own thread, then wakes the reader once for all they queued. */
        void deliver(Runnable callbacks) {
            callbacks.run();
            if (unannounced) {
                unannounced = false;
                lock.lock();
                try {
                    arrived.signal();
                } finally {
                    lock.unlock();
                }
            }
        }

        ClientCall.Listener<SeriesResponseDecoder.Decoded> listener() {
            return new ClientCall.Listener<>() {
                @Override
                public void onMessage(SeriesResponseDecoder.Decoded message) {
                    lock.lock();
                    try {
                        incoming.add(message);
                    } finally {
                        lock.unlock();
                    }
                    unannounced = true;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    lock.lock();
                    try {
                        closeStatus = status;
                        ended = true;
                    } finally {
                        lock.unlock();
                    }
                    unannounced = true;
                }
            };
        }

        @Override
        public boolean next() throws StorageException {
            if (closed) {
                return false;
            }
            while (true) {
                if (currentIndex < current.size()) {
                    SeriesResponseDecoder.DecodedSeries series = current.get(currentIndex++);
                    labels = series.labels();
                    chunks = series.chunks();
                    return true;
                }
                if (done) {
                    return false;
                }
                SeriesResponseDecoder.Decoded frame = taken.poll();
                if (frame == null) {
                    if (!takeArrived()) {
                        return false;
                    }
                    continue;
                }
                if (++owed >= requestStep) {
                    call.request(owed);
                    owed = 0;
                }
                if (frame.error() != null) {
                    close();
                    throw frame.error();
                }
                if (frame.warning() != null) {
                    warnings.add("store " + name + ": " + frame.warning());
                }
                current = frame.series();
                currentIndex = 0;
            }
        }

        /** Moves every arrived frame to the reader, waiting for one; false at the end of the answer. */
        private boolean takeArrived() throws StoreException {
            if (owed > 0) {
                call.request(owed); // about to wait: the store may send all it was allowed
                owed = 0;
            }
            Status status;
            lock.lock();
            try {
                while (incoming.isEmpty() && !ended) {
                    arrived.await();
                }
                if (!incoming.isEmpty()) {
                    ArrayDeque<SeriesResponseDecoder.Decoded> swap = taken;
                    taken = incoming;
                    incoming = swap;
                    return true;
                }
                status = closeStatus;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new StoreException(name, "CANCELLED", "interrupted while waiting for series", e);
            } finally {
                lock.unlock();
            }
            done = true;
            if (!status.isOk() && !closed) {
                throw failure(status);
            }
            return false;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public List<EncodedChunk> chunks() {
            return chunks;
        }

        @Override
        public List<String> warnings() {
            return List.copyOf(warnings);
        }

        @Override
        public String source() {
            return name;
        }

        @Override
        public void close() {
            if (!closed && !done) {
                closed = true;
                call.cancel("closed by the reader", null);
            }
            closed = true;
        }
    }
}
