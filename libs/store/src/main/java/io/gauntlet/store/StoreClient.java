package io.gauntlet.store;

import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One StoreAPI endpoint (a Thanos or Gauntlet sidecar, store gateway, ruler, querier) over grpc-java. Series come
 * back as a pull-based {@link StoreSeriesSet}: at most {@code prefetch} messages are requested ahead of the reader,
 * so a slow reader slows the store down instead of filling memory.
 */
public final class StoreClient implements AutoCloseable {
    private static final int DEFAULT_PREFETCH = 16;

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
        // the listener only queues frames for the reader, so it runs on the transport thread: one hand-off less per frame
        ClientCall<SeriesRequest, SeriesResponse> call = channel.newCall(StoreGrpc.getSeriesMethod(),
                callOptions().withExecutor(Runnable::run));
        RemoteSeriesSet set = new RemoteSeriesSet(call);
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

    /** Received frames, handed from the gRPC thread to the reader; holds at most {@code prefetch} + 1 entries. */
    private final class RemoteSeriesSet implements StoreSeriesSet {
        private static final Object END = new Object();

        private final ClientCall<SeriesRequest, SeriesResponse> call;
        private final LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final ArrayDeque<io.gauntlet.proto.thanos.Series> batch = new ArrayDeque<>();
        private final List<String> warnings = new ArrayList<>();
        private volatile Status closeStatus;
        private boolean done;
        private volatile boolean closed; // close() may come from another thread, e.g. a query timeout
        private Labels labels;
        private List<EncodedChunk> chunks = List.of();

        RemoteSeriesSet(ClientCall<SeriesRequest, SeriesResponse> call) {
            this.call = call;
        }

        ClientCall.Listener<SeriesResponse> listener() {
            return new ClientCall.Listener<>() {
                @Override
                public void onMessage(SeriesResponse message) {
                    received.add(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    closeStatus = status;
                    received.add(END);
                }
            };
        }

        @Override
        public boolean next() throws StorageException {
            if (closed) {
                return false;
            }
            while (!done) {
                if (!batch.isEmpty()) {
                    accept(batch.poll());
                    return true;
                }
                Object item;
                try {
                    item = received.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    close();
                    throw new StoreException(name, "CANCELLED", "interrupted while waiting for series", e);
                }
                if (item == END) {
                    done = true;
                    Status status = closeStatus;
                    if (!status.isOk() && !closed) {
                        throw failure(status);
                    }
                    return false;
                }
                call.request(1); // one frame taken, one more may come
                SeriesResponse response = (SeriesResponse) item;
                switch (response.getResultCase()) {
                    case SERIES -> {
                        accept(response.getSeries());
                        return true;
                    }
                    case BATCH -> batch.addAll(response.getBatch().getSeriesList());
                    case WARNING -> warnings.add("store " + name + ": " + response.getWarning());
                    default -> {
                        // hints and frames from newer servers carry nothing a reader needs
                    }
                }
            }
            return false;
        }

        private void accept(io.gauntlet.proto.thanos.Series series) throws StorageException {
            labels = StoreWire.fromWire(series.getLabelsList());
            List<EncodedChunk> list = new ArrayList<>(series.getChunksCount());
            try {
                for (var chunk : series.getChunksList()) {
                    list.add(StoreWire.fromWire(chunk));
                }
            } catch (UnsupportedEncodingException e) {
                close();
                throw new StoreException(name, "INVALID_DATA", e.getMessage() + " in series " + labels, e);
            }
            chunks = list;
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
