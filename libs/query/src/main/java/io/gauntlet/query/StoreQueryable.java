package io.gauntlet.query;

import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.store.DeduplicatedSeriesSet;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.PenaltyDeduplicator;
import io.gauntlet.store.ProxySeriesSet;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.Queryable;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * PromQL's view of many StoreAPI endpoints (Thanos' querier): every select fans out to the stores that may hold the
 * series, merges their answers, removes replica labels and deduplicates HA replicas with the penalty algorithm.
 */
public final class StoreQueryable implements Queryable {
    /**
     * Series per response frame asked of the stores: one frame per series costs a gRPC message each way; stores
     * that predate the field ignore it and answer one series per frame.
     */
    static final int RESPONSE_BATCH_SIZE = 64;

    /**
     * Per-query settings (Thanos API parameters).
     *
     * @param replicaLabels              labels that tell HA replicas apart; removed and deduplicated when {@code dedup}
     * @param maxResolutionWindowMillis  0 for raw data; otherwise stores may answer with downsampled data up to it
     * @param storeMatchers              {@code storeMatch[]}: only stores whose labels (and {@code __address__}) match one set
     * @param maxSeries                  max series per store response: a store sending more fails, as any store
     *                                   failure (a warning with partial response, else the query's error); 0: no limit
     */
    public record Options(boolean dedup, List<String> replicaLabels, boolean partialResponse, long maxResolutionWindowMillis,
            List<List<LabelMatcher>> storeMatchers, long maxSeries) {
        public Options {
            replicaLabels = List.copyOf(replicaLabels);
            storeMatchers = List.copyOf(storeMatchers);
        }

        public static Options defaults(List<String> replicaLabels) {
            return new Options(true, replicaLabels, true, 0, List.of(), 0);
        }
    }

    /** Values and the warnings of stores that failed with partial response enabled. */
    public record Answer<T>(List<T> values, List<String> warnings) {
    }

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Supplier<List<EndpointSet.Unreachable>> unreachable;
    private final Options options;
    private final FanOutObserver observer;

    public StoreQueryable(Supplier<List<StoreFanOut.Endpoint>> endpoints, Options options) {
        this(endpoints, options, FanOutObserver.NONE);
    }

    public StoreQueryable(Supplier<List<StoreFanOut.Endpoint>> endpoints, Options options, FanOutObserver observer) {
        this(endpoints, List::of, options, observer);
    }

    /**
     * @param unreachable endpoints that are down (e.g. {@link EndpointSet#unreachable()}): one that may hold series for
     *                    a query fails it as a store failure would (a warning with partial response, else the error),
     *                    so that no answer leaves out a store silently
     */
    public StoreQueryable(Supplier<List<StoreFanOut.Endpoint>> endpoints, Supplier<List<EndpointSet.Unreachable>> unreachable,
            Options options, FanOutObserver observer) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.unreachable = Objects.requireNonNull(unreachable, "unreachable");
        this.options = Objects.requireNonNull(options, "options");
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /**
     * Starts the Series call on every selected store that may match (as StoreFanOut does) and merges the answers, not
     * deduplicated; stores that cannot drop the request's {@code without_replica_labels} have them dropped here.
     */
    public ProxySeriesSet fanOut(SeriesRequest request) {
        if (options.maxSeries() > 0 && (request.getLimit() == 0 || request.getLimit() > options.maxSeries() + 1)) {
            // one past the limit is enough to tell a store went over it; stores that know the field stop there
            request = request.toBuilder().setLimit(options.maxSeries() + 1).build();
        }
        List<LabelMatcher> matchers = StoreWire.fromWireMatchers(request.getMatchersList());
        List<StoreSeriesSet> sets = new ArrayList<>();
        for (StoreFanOut.Endpoint endpoint : selectedEndpoints()) {
            if (endpoint.mayMatch(request.getMinTime(), request.getMaxTime(), matchers)) {
                StoreSeriesSet set = new ObservedSeriesSet(endpoint.client().series(request), observer, options.maxSeries());
                if (request.getWithoutReplicaLabelsCount() > 0 && !EndpointSet.supportsWithoutReplicaLabels(endpoint)) {
                    set = new ReplicaLabelsDroppedSeriesSet(set, request.getWithoutReplicaLabelsList());
                }
                sets.add(set);
            }
        }
        for (EndpointSet.Unreachable down : selectedUnreachable()) {
            if (down.mayMatch(request.getMinTime(), request.getMaxTime(), matchers)) {
                sets.add(new FailedSeriesSet(down.name(), down.failure()));
            }
        }
        return new ProxySeriesSet(sets, options.partialResponse() ? PartialResponse.WARN : PartialResponse.ABORT);
    }

    @Override
    public StoreQuerier querier(long mint, long maxt) {
        return new StoreQuerier(mint, maxt);
    }

    /** Thanos' aggrsFromFunc: which downsampled aggregates a function reads. */
    static List<Aggr> aggregatesFor(String function) {
        if (function.equals("min") || function.startsWith("min_")) {
            return List.of(Aggr.MIN);
        }
        if (function.equals("max") || function.startsWith("max_")) {
            return List.of(Aggr.MAX);
        }
        if (function.equals("count") || function.startsWith("count_")) {
            return List.of(Aggr.COUNT);
        }
        if (function.startsWith("sum_")) {
            return List.of(Aggr.SUM);
        }
        if (PenaltyDeduplicator.isCounterFunction(function)) {
            return List.of(Aggr.COUNTER);
        }
        return List.of(Aggr.COUNT, Aggr.SUM);
    }

    /** Functions that need two samples in their range (Thanos' list): they read data at most half their range apart. */
    private static final Set<String> TWO_SAMPLE_FUNCTIONS = Set.of("rate", "irate", "increase", "delta", "idelta", "deriv",
            "predict_linear", "holt_winters", "double_exponential_smoothing");

    /**
     * Thanos' {@code maxResolutionFromSelectHints}: a rate-like function over a range reads a resolution of at most half
     * that range, so each window holds at least two (downsampled) samples.
     */
    static long maxResolutionFor(long maxResolutionWindowMillis, SelectHints hints) {
        if (hints != null && hints.range() > 0 && TWO_SAMPLE_FUNCTIONS.contains(hints.function())) {
            return Math.min(maxResolutionWindowMillis, hints.range() / 2);
        }
        return maxResolutionWindowMillis;
    }

    private static AggregateType single(List<Aggr> aggregates) {
        if (aggregates.size() != 1) {
            return null;
        }
        return switch (aggregates.getFirst()) {
            case MIN -> AggregateType.MIN;
            case MAX -> AggregateType.MAX;
            case COUNT -> AggregateType.COUNT;
            case SUM -> AggregateType.SUM;
            case COUNTER -> AggregateType.COUNTER;
            default -> null;
        };
    }

    /** The stores a query may ask: storeMatch[] applied to each store's label sets and address. */
    List<StoreFanOut.Endpoint> selectedEndpoints() {
        List<StoreFanOut.Endpoint> all = endpoints.get();
        if (options.storeMatchers().isEmpty()) {
            return all;
        }
        List<StoreFanOut.Endpoint> out = new ArrayList<>();
        for (StoreFanOut.Endpoint endpoint : all) {
            List<Labels> sets = new ArrayList<>();
            for (ZLabelSet set : endpoint.info().getLabelSetsList()) {
                sets.add(StoreWire.fromWire(set.getLabelsList()).toBuilder().set("__address__", endpoint.client().name()).build());
            }
            if (sets.isEmpty()) {
                sets.add(Labels.of("__address__", endpoint.client().name()));
            }
            outer:
            for (List<LabelMatcher> matchers : options.storeMatchers()) {
                for (Labels set : sets) {
                    if (matchesAll(set, matchers)) {
                        out.add(endpoint);
                        break outer;
                    }
                }
            }
        }
        return out;
    }

    /**
     * The unreachable endpoints a query may have asked: storeMatch[] applied to their last label sets and address; with
     * deduplication, not one whose every label set a healthy replica serves over at least the same time range (one
     * replica of an HA pair down loses nothing; a store gateway holding the pair's older blocks does not stand in for
     * both replicas cut off).
     */
    List<EndpointSet.Unreachable> selectedUnreachable() {
        List<EndpointSet.Unreachable> all = unreachable.get();
        if (all.isEmpty()) {
            return all;
        }
        List<EndpointSet.Unreachable> out = new ArrayList<>();
        Map<Labels, List<StoreFanOut.Endpoint>> servedByReplicas = options.dedup() && !options.replicaLabels().isEmpty()
                ? withoutReplicaLabels(endpoints.get()) : Map.of();
        for (EndpointSet.Unreachable down : all) {
            if (down.lastInfo() != null && down.lastInfo().hasStore() && down.lastInfo().getLabelSetsCount() > 0 && !servedByReplicas.isEmpty()
                    && down.lastInfo().getLabelSetsList().stream().allMatch(set -> servedByReplicas
                            .getOrDefault(dropReplicaLabels(StoreWire.fromWire(set.getLabelsList())), List.of()).stream()
                            .anyMatch(replica -> replica.info().getStore().getMinTime() <= down.lastInfo().getStore().getMinTime()
                                    && replica.info().getStore().getMaxTime() >= down.lastInfo().getStore().getMaxTime()))) {
                continue;
            }
            if (options.storeMatchers().isEmpty()) {
                out.add(down);
                continue;
            }
            List<Labels> sets = new ArrayList<>();
            if (down.lastInfo() != null) {
                for (ZLabelSet set : down.lastInfo().getLabelSetsList()) {
                    sets.add(StoreWire.fromWire(set.getLabelsList()).toBuilder().set("__address__", down.name()).build());
                }
            }
            if (sets.isEmpty()) {
                sets.add(Labels.of("__address__", down.name()));
            }
            if (options.storeMatchers().stream().anyMatch(matchers -> sets.stream().anyMatch(set -> matchesAll(set, matchers)))) {
                out.add(down);
            }
        }
        return out;
    }

    /** The healthy StoreAPI endpoints by each label set they serve, replica labels dropped. */
    private Map<Labels, List<StoreFanOut.Endpoint>> withoutReplicaLabels(List<StoreFanOut.Endpoint> healthy) {
        Map<Labels, List<StoreFanOut.Endpoint>> out = new HashMap<>();
        for (StoreFanOut.Endpoint endpoint : healthy) {
            if (endpoint.servesStoreApi()) {
                for (ZLabelSet set : endpoint.info().getLabelSetsList()) {
                    out.computeIfAbsent(dropReplicaLabels(StoreWire.fromWire(set.getLabelsList())), k -> new ArrayList<>()).add(endpoint);
                }
            }
        }
        return out;
    }

    private Labels dropReplicaLabels(Labels labels) {
        Labels.Builder builder = labels.toBuilder();
        options.replicaLabels().forEach(builder::delete);
        return builder.build();
    }

    /** An endpoint that is not asked: its set fails at once with why. */
    private record FailedSeriesSet(String source, StoreException failure) implements StoreSeriesSet {
        @Override
        public boolean next() throws StoreException {
            throw failure;
        }

        @Override
        public Labels labels() {
            throw new IllegalStateException("no series");
        }

        @Override
        public List<ChunkSeriesSet.EncodedChunk> chunks() {
            throw new IllegalStateException("no series");
        }

        @Override
        public List<String> warnings() {
            return List.of();
        }

        @Override
        public void close() {
        }
    }

    private static boolean matchesAll(Labels labels, List<LabelMatcher> matchers) {
        for (LabelMatcher matcher : matchers) {
            String value = labels.has(matcher.name()) ? labels.get(matcher.name()) : "";
            if (!matcher.matches(value)) {
                return false;
            }
        }
        return true;
    }

    private PartialResponseStrategy strategy() {
        return options.partialResponse() ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT;
    }

    private List<String> withoutReplicaLabels() {
        return options.dedup() ? options.replicaLabels() : List.of();
    }

    /** A querier over the stores for one query; closing cancels the store calls still running. */
    public final class StoreQuerier implements Querier {
        private final long mint;
        private final long maxt;
        private final List<StoreSeriesSet> open = Collections.synchronizedList(new ArrayList<>());

        StoreQuerier(long mint, long maxt) {
            this.mint = mint;
            this.maxt = maxt;
        }

        @Override
        public SeriesSet select(boolean sorted, SelectHints hints, List<LabelMatcher> matchers) {
            String function = hints == null ? "" : hints.function();
            List<Aggr> aggregates = aggregatesFor(function);
            long maxResolution = maxResolutionFor(options.maxResolutionWindowMillis(), hints);
            SeriesRequest.Builder request = SeriesRequest.newBuilder()
                    .setMinTime(hints == null ? mint : hints.start())
                    .setMaxTime(hints == null ? maxt : hints.end())
                    .addAllMatchers(StoreWire.toWireMatchers(matchers))
                    .setMaxResolutionWindow(maxResolution)
                    .addAllAggregates(aggregates)
                    .setPartialResponseDisabled(!options.partialResponse())
                    .setPartialResponseStrategy(strategy())
                    .addAllWithoutReplicaLabels(withoutReplicaLabels())
                    .setResponseBatchSize(RESPONSE_BATCH_SIZE);
            if (hints != null) {
                // the deprecated fields for stores that predate query_hints
                request.setStep(hints.step()).setRange(hints.range()).setQueryHints(StoreWire.toWire(hints));
            }
            ProxySeriesSet merged = fanOut(request.build());
            open.add(merged);
            boolean counter = PenaltyDeduplicator.isCounterFunction(function);
            AggregateType aggregate = maxResolution > 0 ? single(aggregates) : null;
            boolean average = maxResolution > 0 && aggregate == null;
            return new DeduplicatedSeriesSet(merged, counter, aggregate, average);
        }

        @Override
        public List<String> labelValues(String name, List<LabelMatcher> matchers) throws StorageException {
            return labelValuesOf(name, List.of(matchers)).values();
        }

        @Override
        public List<String> labelNames(List<LabelMatcher> matchers) throws StorageException {
            return labelNamesOf(List.of(matchers)).values();
        }

        /** Label names among series matching any of the matcher sets (all series for an empty list). */
        public Answer<String> labelNamesOf(List<List<LabelMatcher>> matcherSets) throws StorageException {
            return fanOutStrings("label_names", matcherSets, (endpoint, matchers) -> {
                LabelNamesResponse response = endpoint.client().labelNames(LabelNamesRequest.newBuilder()
                        .setStart(mint).setEnd(maxt)
                        .addAllMatchers(StoreWire.toWireMatchers(matchers))
                        .setPartialResponseDisabled(!options.partialResponse())
                        .setPartialResponseStrategy(strategy())
                        .addAllWithoutReplicaLabels(withoutReplicaLabels())
                        .build());
                return new LabelAnswer(response.getNamesList().stream().filter(n -> !withoutReplicaLabels().contains(n)).toList(),
                        storeWarnings(endpoint, response.getWarningsList()));
            });
        }

        public Answer<String> labelValuesOf(String name, List<List<LabelMatcher>> matcherSets) throws StorageException {
            if (options.dedup() && options.replicaLabels().contains(name)) {
                return new Answer<>(List.of(), List.of());
            }
            return fanOutStrings("label_values", matcherSets, (endpoint, matchers) -> {
                LabelValuesResponse response = endpoint.client().labelValues(LabelValuesRequest.newBuilder()
                        .setLabel(name).setStart(mint).setEnd(maxt)
                        .addAllMatchers(StoreWire.toWireMatchers(matchers))
                        .setPartialResponseDisabled(!options.partialResponse())
                        .setPartialResponseStrategy(strategy())
                        .addAllWithoutReplicaLabels(withoutReplicaLabels())
                        .build());
                return new LabelAnswer(response.getValuesList(), storeWarnings(endpoint, response.getWarningsList()));
            });
        }

        /** The label sets of series matching any of the matcher sets, sorted and unique (the series API). */
        public Answer<Labels> series(List<List<LabelMatcher>> matcherSets) throws StorageException {
            TreeSet<Labels> out = new TreeSet<>();
            List<String> warnings = new ArrayList<>();
            for (List<LabelMatcher> matchers : matcherSets) {
                SeriesRequest request = SeriesRequest.newBuilder()
                        .setMinTime(mint).setMaxTime(maxt)
                        .addAllMatchers(StoreWire.toWireMatchers(matchers))
                        .setSkipChunks(true)
                        .setResponseBatchSize(RESPONSE_BATCH_SIZE)
                        .setPartialResponseDisabled(!options.partialResponse())
                        .setPartialResponseStrategy(strategy())
                        .addAllWithoutReplicaLabels(withoutReplicaLabels())
                        .build();
                try (ProxySeriesSet merged = fanOut(request)) {
                    open.add(merged);
                    while (merged.next()) {
                        out.add(merged.labels());
                    }
                    warnings.addAll(merged.warnings());
                }
            }
            return new Answer<>(new ArrayList<>(out), warnings);
        }

        private interface StringCall {
            LabelAnswer call(StoreFanOut.Endpoint endpoint, List<LabelMatcher> matchers) throws StoreException;
        }

        /** A store's own warnings, named after it as Series warnings are. */
        private static List<String> storeWarnings(StoreFanOut.Endpoint endpoint, List<String> warnings) {
            return warnings.stream().map(warning -> "store " + endpoint.client().name() + ": " + warning).toList();
        }

        private Answer<String> fanOutStrings(String kind, List<List<LabelMatcher>> matcherSets, StringCall call) throws StorageException {
            List<List<LabelMatcher>> sets = matcherSets.isEmpty() ? List.of(List.of()) : matcherSets;
            List<StoreFanOut.Endpoint> selected = new ArrayList<>();
            for (StoreFanOut.Endpoint endpoint : selectedEndpoints()) {
                for (List<LabelMatcher> matchers : sets) {
                    if (endpoint.mayMatch(mint, maxt, matchers)) {
                        selected.add(endpoint);
                        break;
                    }
                }
            }
            TreeSet<String> values = new TreeSet<>(Labels::compareStrings);
            List<String> warnings = new ArrayList<>();
            for (EndpointSet.Unreachable down : selectedUnreachable()) {
                if (sets.stream().anyMatch(matchers -> down.mayMatch(mint, maxt, matchers))) {
                    if (!options.partialResponse()) {
                        throw down.failure();
                    }
                    warnings.add(down.failure().getMessage());
                }
            }
            try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<LabelAnswer>> answers = new ArrayList<>();
                for (StoreFanOut.Endpoint endpoint : selected) {
                    // in the caller's gRPC context: its cancellation, and the querier path the loop guard checks
                    answers.add(calls.submit(io.grpc.Context.current().wrap(() -> {
                        long started = System.nanoTime();
                        boolean failed = true;
                        try {
                            List<String> out = new ArrayList<>();
                            List<String> storeWarnings = new ArrayList<>();
                            for (List<LabelMatcher> matchers : sets) {
                                LabelAnswer one = call.call(endpoint, matchers);
                                out.addAll(one.values());
                                storeWarnings.addAll(one.warnings());
                            }
                            failed = false;
                            return new LabelAnswer(out, storeWarnings);
                        } finally {
                            observer.completed(endpoint.client().name(), kind, System.nanoTime() - started, failed);
                        }
                    })));
                }
                for (Future<LabelAnswer> answer : answers) {
                    try {
                        LabelAnswer one = answer.get();
                        if (!one.warnings().isEmpty() && !options.partialResponse()) {
                            // as for Series: a store that answered only partly fails an all-or-nothing request
                            answers.forEach(f -> f.cancel(true));
                            throw new StoreException(selected.get(answers.indexOf(answer)).client().name(), "ABORTED",
                                    "answered partially and partial response is disabled: " + one.warnings().getFirst(), null);
                        }
                        values.addAll(one.values());
                        warnings.addAll(one.warnings());
                    } catch (ExecutionException e) {
                        String message = e.getCause().getMessage();
                        if (!options.partialResponse()) {
                            throw e.getCause() instanceof StorageException storage ? storage : new StorageException(message, e.getCause());
                        }
                        warnings.add(message);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        answers.forEach(f -> f.cancel(true));
                        throw new StorageException("interrupted while asking the stores", e);
                    }
                }
            }
            return new Answer<>(new ArrayList<>(values), List.copyOf(new java.util.LinkedHashSet<>(warnings)));
        }

        @Override
        public void close() {
            synchronized (open) {
                open.forEach(StoreSeriesSet::close);
                open.clear();
            }
        }
    }
}
