package io.gauntlet.store;

import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.info.InfoGrpc;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.proto.thanos.info.MetricMetadataInfo;
import io.gauntlet.proto.thanos.info.StoreInfo;
import io.gauntlet.proto.thanos.info.TSDBInfo;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves a {@link ChunkSource} as the Thanos {@code thanos.Store} and {@code thanos.info.Info} gRPC services.
 *
 * <p>It resolves matchers on the external labels (a request they cannot match gets an empty answer), adds the
 * external labels to every series (they win over series labels), drops {@code without_replica_labels} from both
 * and merges series that become equal, keeps the answer sorted, filters chunks to the requested range, applies
 * {@link StoreLimits}, the request's {@code limit}, {@code skip_chunks} and {@code response_batch_size}, and streams
 * with gRPC flow control: the source is pulled only while the client can take more, and a cancelled call stops
 * pulling. Errors become gRPC statuses with a one-line message, never a stack trace.
 */
public final class StoreServer {
    private static final Logger LOG = Logger.getLogger(StoreServer.class.getName());
    private static final long MAX_BATCH_BYTES = SeriesEncoder.MAX_BATCH_BYTES;
    /** Bytes a Series call may queue in the transport before the pump waits for the client (as large as one batch). */
    private static final int ON_READY_BYTES = 1 << 20;
    /** Series as pre-serialised bytes; the request as generated. */
    private static final MethodDescriptor<SeriesRequest, EncodedSeriesResponse> SERIES_BYTES = StoreGrpc.getSeriesMethod()
            .toBuilder(ProtoUtils.marshaller(SeriesRequest.getDefaultInstance()), EncodedSeriesResponse.MARSHALLER).build();

    private final ChunkSource source;
    private final StoreLimits limits;
    private final boolean chunkHashes;
    private final boolean metricMetadata;
    private final Supplier<InfoResponse> announced;

    /** @param chunkHashes whether chunks carry their xxhash64 (costs one pass over the bytes) */
    public StoreServer(ChunkSource source, StoreLimits limits, boolean chunkHashes) {
        this(source, limits, chunkHashes, false);
    }

    /**
     * @param metricMetadata whether Info announces the {@code thanos.Metadata} API (served next to this one, e.g. by
     *                       {@link MetadataServer}), so that Thanos queriers ask this endpoint for metric metadata
     */
    public StoreServer(ChunkSource source, StoreLimits limits, boolean chunkHashes, boolean metricMetadata) {
        this(source, limits, chunkHashes, metricMetadata, InfoResponse::getDefaultInstance);
    }

    private StoreServer(ChunkSource source, StoreLimits limits, boolean chunkHashes, boolean metricMetadata, Supplier<InfoResponse> announced) {
        this.source = source;
        this.limits = limits;
        this.chunkHashes = chunkHashes;
        this.metricMetadata = metricMetadata;
        this.announced = announced;
    }

    /**
     * The same server whose Info also announces the APIs set in {@code apis} (e.g. {@code exemplars}, {@code targets}),
     * served next to this one, so that queriers ask this endpoint for them.
     */
    public StoreServer announcing(InfoResponse apis) {
        return announcing(() -> apis);
    }

    /** As {@link #announcing(InfoResponse)}, the APIs asked again on every Info call (e.g. those a querier's endpoints offer now). */
    public StoreServer announcing(Supplier<InfoResponse> apis) {
        Supplier<InfoResponse> before = announced;
        return new StoreServer(source, limits, chunkHashes, metricMetadata, () -> before.get().toBuilder().mergeFrom(apis.get()).build());
    }

    public StoreServer(ChunkSource source) {
        this(source, StoreLimits.NONE, false);
    }

    /**
     * The Store and Info services, to add to a gRPC server. They answer snappy-compressed requests in kind when the
     * server was built with {@link SnappyCodec#compressors()} and {@link SnappyCodec#decompressors()}.
     */
    public List<ServerServiceDefinition> services() {
        return List.of(storeService().bindService(), infoService().bindService());
    }

    /**
     * {@code thanos.Store} alone, e.g. for a framework that registers {@link BindableService}s. Source calls block:
     * run it on worker threads (in Quarkus a {@code @Blocking} service), never on an event loop.
     */
    public BindableService storeService() {
        ServerServiceDefinition service = storeDefinition();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind());
    }

    /**
     * {@code thanos.Store} with Series answered as pre-serialised {@code SeriesResponse} bytes under the same full
     * method name (the wire is unchanged), LabelNames and LabelValues as generated.
     */
    private ServerServiceDefinition storeDefinition() {
        ServerServiceDefinition generated = new StoreService().bindService();
        ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(StoreGrpc.SERVICE_NAME)
                .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor()).addMethod(SERIES_BYTES);
        List<ServerMethodDefinition<?, ?>> others = new ArrayList<>();
        for (ServerMethodDefinition<?, ?> method : generated.getMethods()) {
            if (!method.getMethodDescriptor().getFullMethodName().equals(SERIES_BYTES.getFullMethodName())) {
                descriptor.addMethod(method.getMethodDescriptor());
                others.add(method);
            }
        }
        ServerServiceDefinition.Builder definition = ServerServiceDefinition.builder(descriptor.build())
                .addMethod(SERIES_BYTES, ServerCalls.asyncServerStreamingCall(this::series));
        others.forEach(definition::addMethod);
        return definition.build();
    }

    /** {@code thanos.info.Info} alone. */
    public BindableService infoService() {
        BindableService service = new InfoService();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind(), CorruptedBlocksHeader.sending(source::corruptedBlocks));
    }

    private final class InfoService extends InfoGrpc.InfoImplBase {
        @Override
        public void info(InfoRequest request, StreamObserver<InfoResponse> out) {
            try {
                SourceInfo info = source.info();
                InfoResponse.Builder response = announced.get().toBuilder().setComponentType(info.componentType());
                if (metricMetadata) {
                    response.setMetricMetadata(MetricMetadataInfo.getDefaultInstance());
                }
                if (info.componentType().equals("rule")) {
                    response.setRules(io.gauntlet.proto.thanos.info.RulesInfo.getDefaultInstance()); // a ruler serves thanos.Rules too
                }
                StoreInfo.Builder store = StoreInfo.newBuilder().setMinTime(info.minTime()).setMaxTime(info.maxTime())
                        .setSupportsWithoutReplicaLabels(true);
                for (Labels labelSet : info.advertisedLabelSets()) {
                    ZLabelSet set = ZLabelSet.newBuilder().addAllLabels(StoreWire.toWire(labelSet)).build();
                    response.addLabelSets(set);
                    store.addTsdbInfos(TSDBInfo.newBuilder().setLabels(set).setMinTime(info.minTime()).setMaxTime(info.maxTime()));
                }
                out.onNext(response.setStore(store).build());
                out.onCompleted();
            } catch (RuntimeException e) {
                out.onError(statusOf(e).asRuntimeException());
            }
        }
    }

    private void series(SeriesRequest request, StreamObserver<EncodedSeriesResponse> observer) {
        ServerCallStreamObserver<EncodedSeriesResponse> out = (ServerCallStreamObserver<EncodedSeriesResponse>) observer;
        SeriesPump pump;
        try {
            pump = plan(request, out);
        } catch (RuntimeException e) {
            out.onError(statusOf(e).asRuntimeException());
            return;
        }
        if (pump == null) {
            out.onCompleted(); // the external labels cannot match
            return;
        }
        out.setOnCancelHandler(pump::close);
        out.setOnReadyHandler(pump);
        // pump up to a batch's worth per run instead of gRPC's 32 KiB: fewer pauses and wake-ups per message
        out.setOnReadyThreshold(ON_READY_BYTES);
        pump.run();
    }

    private final class StoreService extends StoreGrpc.StoreImplBase {

        @Override
        public void labelNames(LabelNamesRequest request, StreamObserver<LabelNamesResponse> out) {
            try {
                Labels external = source.info().externalLabels();
                Set<String> dropped = Set.copyOf(request.getWithoutReplicaLabelsList());
                List<LabelMatcher> matchers = sourceMatchers(StoreWire.fromWireMatchers(request.getMatchersList()), external);
                LabelNamesResponse.Builder response = LabelNamesResponse.newBuilder();
                if (matchers != null) {
                    checkRange(request.getStart(), request.getEnd());
                    LabelQuery query = new LabelQuery(request.getStart(), request.getEnd(), matchers, request.getLimit(),
                            strategyOf(request.getPartialResponseDisabled(), request.getPartialResponseStrategy()), dropped);
                    LabelAnswer answer = source.labelNamesAnswer(query);
                    TreeSet<String> names = new TreeSet<>(Labels::compareStrings);
                    names.addAll(answer.values());
                    names.addAll(external.names());
                    names.removeAll(dropped);
                    response.addAllNames(limited(names, request.getLimit())).addAllWarnings(answer.warnings());
                }
                out.onNext(response.build());
                out.onCompleted();
            } catch (StorageException | RuntimeException e) {
                out.onError(statusOf(e).asRuntimeException());
            }
        }

        @Override
        public void labelValues(LabelValuesRequest request, StreamObserver<LabelValuesResponse> out) {
            try {
                String name = request.getLabel();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("label name parameter cannot be empty");
                }
                Labels external = source.info().externalLabels();
                List<LabelMatcher> matchers = sourceMatchers(StoreWire.fromWireMatchers(request.getMatchersList()), external);
                LabelValuesResponse.Builder response = LabelValuesResponse.newBuilder();
                if (matchers != null && !request.getWithoutReplicaLabelsList().contains(name)) {
                    checkRange(request.getStart(), request.getEnd());
                    if (external.has(name)) {
                        response.addValues(external.get(name));
                    } else {
                        LabelQuery query = new LabelQuery(request.getStart(), request.getEnd(), matchers, request.getLimit(),
                                strategyOf(request.getPartialResponseDisabled(), request.getPartialResponseStrategy()),
                                Set.copyOf(request.getWithoutReplicaLabelsList()));
                        LabelAnswer answer = source.labelValuesAnswer(name, query);
                        response.addAllValues(limited(answer.values(), request.getLimit())).addAllWarnings(answer.warnings());
                    }
                }
                out.onNext(response.build());
                out.onCompleted();
            } catch (StorageException | RuntimeException e) {
                out.onError(statusOf(e).asRuntimeException());
            }
        }
    }

    /** The pump for one Series call, or null when the external labels rule out every series. */
    private SeriesPump plan(SeriesRequest request, ServerCallStreamObserver<EncodedSeriesResponse> out) {
        checkRange(request.getMinTime(), request.getMaxTime());
        if (request.getLimit() < 0 || request.getResponseBatchSize() < 0) {
            throw new IllegalArgumentException("limit and response_batch_size must be >= 0");
        }
        Labels external = source.info().externalLabels();
        List<LabelMatcher> matchers = sourceMatchers(StoreWire.fromWireMatchers(request.getMatchersList()), external);
        if (matchers == null) {
            return null;
        }
        List<Aggregate> aggregates = new ArrayList<>();
        for (Aggr aggr : request.getAggregatesList()) {
            if (aggr == Aggr.UNRECOGNIZED) {
                throw new IllegalArgumentException("unknown aggregate in request");
            }
            aggregates.add(Aggregate.values()[aggr.getNumber()]);
        }
        SelectHints hints = null;
        if (request.hasQueryHints()) {
            var queryHints = request.getQueryHints();
            hints = new SelectHints(request.getMinTime(), request.getMaxTime(), queryHints.getStepMillis(),
                    queryHints.getFunc().getName(), queryHints.getRange().getMillis(), queryHints.getGrouping().getLabelsList(),
                    queryHints.getGrouping().getBy());
        } else if (request.getStep() != 0 || request.getRange() != 0) {
            hints = new SelectHints(request.getMinTime(), request.getMaxTime(), request.getStep(), "", request.getRange(), List.of(), false);
        }
        Set<String> dropped = Set.copyOf(request.getWithoutReplicaLabelsList());
        StoreQuery query = new StoreQuery(request.getMinTime(), request.getMaxTime(), matchers, request.getSkipChunks(),
                request.getMaxResolutionWindow(), aggregates, hints,
                strategyOf(request.getPartialResponseDisabled(), request.getPartialResponseStrategy()), dropped, request.getLimit());
        // a fan-out source has its own stores drop them: its series come without them, sorted and merged
        return new SeriesPump(out, query, external, source instanceof FanOutSource ? external.names().stream()
                .filter(dropped::contains).collect(java.util.stream.Collectors.toSet()) : dropped, request.getLimit(),
                (int) Math.min(Integer.MAX_VALUE, request.getResponseBatchSize()));
    }

    /** Thanos' rule: a failing store aborts the call when partial response is disabled or the strategy says ABORT. */
    private static PartialResponse strategyOf(boolean disabled, PartialResponseStrategy strategy) {
        return disabled || strategy == PartialResponseStrategy.ABORT ? PartialResponse.ABORT : PartialResponse.WARN;
    }

    /**
     * Matchers for the source: those on external label names are checked against the external label value and
     * removed. Null when one of them fails, so no series can match.
     */
    private static List<LabelMatcher> sourceMatchers(List<LabelMatcher> matchers, Labels external) {
        List<LabelMatcher> remaining = new ArrayList<>(matchers.size());
        for (LabelMatcher matcher : matchers) {
            if (external.has(matcher.name())) {
                if (!matcher.matches(external.get(matcher.name()))) {
                    return null;
                }
            } else {
                remaining.add(matcher);
            }
        }
        return remaining;
    }

    private static void checkRange(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min time " + min + " is after max time " + max);
        }
    }

    private static List<String> limited(java.util.Collection<String> values, long limit) {
        List<String> list = new ArrayList<>(values);
        return limit > 0 && list.size() > limit ? list.subList(0, (int) limit) : list;
    }

    /** The gRPC status of a failure: its kind as the code, its message as the one-line description. */
    public static Status statusOf(Throwable error) {
        if (error instanceof StoreLimitExceededException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(error.getMessage());
        }
        if (error instanceof StoreException) {
            // a store behind a fan-out source failed and the client asked to abort then (Thanos' proxy answers so too)
            return Status.ABORTED.withDescription(error.getMessage());
        }
        if (error instanceof StoreUnavailableException) {
            return Status.UNAVAILABLE.withDescription(error.getMessage());
        }
        if (error instanceof IllegalArgumentException) {
            return Status.INVALID_ARGUMENT.withDescription(error.getMessage());
        }
        if (error instanceof StorageException) {
            return Status.INTERNAL.withDescription(error.getMessage());
        }
        // a bug, not bad data: log the trace here, send only one line
        LOG.log(Level.WARNING, "store request failed", error);
        return Status.INTERNAL.withDescription("internal store error: " + error);
    }

    /** Streams one Series answer, pulling from the source only while the client is ready. */
    private final class SeriesPump implements Runnable {
        private final ServerCallStreamObserver<EncodedSeriesResponse> out;
        private final StoreQuery query;
        private final Labels external;
        private final Set<String> dropLabels;
        private final long limit;
        private final int batchSize;
        private ChunkSeriesSet opened;
        private RelabeledSeriesStream stream;
        private SeriesEncoder encoder;
        private EncodedSeriesStream encoded;
        private boolean sourceDone;
        private final List<byte[]> batch = new ArrayList<>();
        private long batchBytes;
        private long sent;
        private boolean finished;

        SeriesPump(ServerCallStreamObserver<EncodedSeriesResponse> out, StoreQuery query, Labels external, Set<String> dropLabels,
                long limit, int batchSize) {
            this.out = out;
            this.query = query;
            this.external = external;
            this.dropLabels = dropLabels;
            this.limit = limit;
            this.batchSize = batchSize;
        }

        // gRPC runs this, the ready handler and the cancel handler one at a time on the call's executor
        @Override
        public void run() {
            if (finished) {
                return;
            }
            try {
                if (stream == null && encoded == null) {
                    open();
                }
                if (encoded != null) {
                    pumpEncoded();
                } else {
                    pumpDecoded();
                }
            } catch (StorageException | RuntimeException e) {
                close();
                if (!out.isCancelled()) {
                    out.onError(statusOf(e).asRuntimeException());
                }
            }
        }

        /** Asks an {@link EncodedSeriesSource} first when the rewrite keeps source order up to prefixes, else the series set. */
        private void open() throws StorageException {
            if (source instanceof EncodedSeriesSource bytes && !query.skipChunks() && external.names().containsAll(dropLabels)) {
                encoder = new SeriesEncoder(external.without(dropLabels), external.names(), query.minTime(), query.maxTime(), limits, chunkHashes);
                if (batchSize > 1) {
                    encoder.reserveBatch();
                }
                encoded = bytes.encodedSeries(query, encoder);
                if (encoded != null) {
                    return;
                }
                encoder = null;
            }
            opened = source.series(query);
            stream = new RelabeledSeriesStream(opened, external, dropLabels, query.minTime(), query.maxTime(),
                    query.skipChunks(), limits, out::isCancelled);
        }

        /** Series as the encoder wrote them, a response's worth pulled from the source at a time. */
        private void pumpEncoded() throws StorageException {
            while (!finished && out.isReady()) {
                if (out.isCancelled()) {
                    close();
                    return;
                }
                int wanted = batchSize > 1 ? batchSize : 1;
                if (limit > 0) {
                    wanted = (int) Math.min(wanted, limit - sent);
                }
                while (wanted > 0 && !sourceDone && encoder.readyCount() < wanted && encoder.readyBytes() < SeriesEncoder.MAX_BATCH_BYTES) {
                    if (out.isCancelled()) {
                        close();
                        return;
                    }
                    if (!encoded.advance()) {
                        encoder.finish();
                        sourceDone = true;
                    }
                }
                if (wanted > 0 && encoder.readyCount() > 0) {
                    EncodedSeriesResponse response = encoder.take(wanted, batchSize > 1);
                    sent += encoder.taken();
                    out.onNext(response);
                    continue;
                }
                sendWarnings(encoded.warnings());
                close();
                out.onCompleted();
                return;
            }
        }

        private void pumpDecoded() throws StorageException {
            while (!finished && out.isReady()) {
                if (out.isCancelled()) {
                    close();
                    return;
                }
                var next = limit > 0 && sent >= limit ? null : stream.next();
                if (next == null) {
                    if (!batch.isEmpty()) {
                        out.onNext(EncodedSeriesResponse.batch(batch));
                    }
                    if (opened instanceof StoreSeriesSet withWarnings) {
                        sendWarnings(withWarnings.warnings()); // e.g. a proxying source whose own stores answered partially
                    }
                    close();
                    out.onCompleted();
                    return;
                }
                byte[] series = EncodedSeriesResponse.seriesField(next.getKey(), next.getValue(), chunkHashes);
                sent++;
                if (batchSize > 1) {
                    batch.add(series);
                    batchBytes += series.length;
                    // a frame stays well under gRPC's default 4 MiB receive limit
                    if (batch.size() >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
                        out.onNext(EncodedSeriesResponse.batch(batch));
                        batch.clear();
                        batchBytes = 0;
                    }
                } else {
                    out.onNext(EncodedSeriesResponse.series(series));
                }
            }
        }

        private void sendWarnings(List<String> warnings) {
            for (String warning : warnings) {
                out.onNext(EncodedSeriesResponse.of(SeriesResponse.newBuilder().setWarning(warning).build()));
            }
        }

        void close() {
            if (finished) {
                return;
            }
            finished = true;
            if (encoded != null) {
                encoded.close();
            }
            if (opened instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.log(Level.FINE, "closing a series set failed", e);
                }
            }
        }
    }
}
