package io.gauntlet.query;

import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.store.Aggregate;
import io.gauntlet.store.FanOutSource;
import io.gauntlet.store.LabelAnswer;
import io.gauntlet.store.LabelQuery;
import io.gauntlet.store.PartialResponse;
import io.gauntlet.store.SourceInfo;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The querier as a store (Thanos' proxy store): its StoreAPI endpoints as one {@link FanOutSource}, which
 * {@link io.gauntlet.store.StoreServer} serves as {@code thanos.Store} and {@code thanos.info.Info} with component type
 * {@code query}. Series come from every endpoint that may hold them, merged in label order and not deduplicated (the
 * querier above deduplicates); the client's replica labels, partial response strategy, limit, {@code skip_chunks},
 * aggregates, resolution window and hints are passed on. Info advertises the union of the endpoints' label sets and
 * time ranges.
 */
public final class ProxyStore implements FanOutSource {
    /** Thanos' component type of a querier. */
    public static final String COMPONENT_TYPE = "query";

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final long maxSeriesPerStore;
    private final FanOutObserver observer;

    /**
     * @param endpoints         the healthy endpoints (e.g. {@link EndpointSet#healthy()}); those without a StoreAPI are skipped
     * @param maxSeriesPerStore series one store may send in one answer; a store past it fails as any store failure (0: no limit)
     */
    public ProxyStore(Supplier<List<StoreFanOut.Endpoint>> endpoints, long maxSeriesPerStore, FanOutObserver observer) {
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
        this.maxSeriesPerStore = maxSeriesPerStore;
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    /** Without stores there is no range to narrow: all time, as Thanos' proxy says. */
    @Override
    public SourceInfo info() {
        TreeSet<Labels> labelSets = new TreeSet<>();
        long minTime = Long.MAX_VALUE;
        long maxTime = Long.MIN_VALUE;
        for (StoreFanOut.Endpoint endpoint : endpoints.get()) {
            if (!endpoint.servesStoreApi()) {
                continue;
            }
            minTime = Math.min(minTime, endpoint.info().getStore().getMinTime());
            maxTime = Math.max(maxTime, endpoint.info().getStore().getMaxTime());
            for (ZLabelSet set : endpoint.info().getLabelSetsList()) {
                labelSets.add(StoreWire.fromWire(set.getLabelsList()));
            }
        }
        if (minTime > maxTime) {
            return SourceInfo.of(COMPONENT_TYPE, Labels.EMPTY, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        return new SourceInfo(COMPONENT_TYPE, Labels.EMPTY, new ArrayList<>(labelSets), minTime, maxTime);
    }

    @Override
    public StoreSeriesSet series(StoreQuery query) {
        SeriesRequest.Builder request = SeriesRequest.newBuilder()
                .setMinTime(query.minTime())
                .setMaxTime(query.maxTime())
                .addAllMatchers(StoreWire.toWireMatchers(query.matchers()))
                .setSkipChunks(query.skipChunks())
                .setMaxResolutionWindow(query.maxResolutionWindow())
                .setPartialResponseDisabled(query.partialResponse() == PartialResponse.ABORT)
                .setPartialResponseStrategy(strategy(query.partialResponse()))
                .addAllWithoutReplicaLabels(new TreeSet<>(query.withoutReplicaLabels()))
                .setLimit(query.limit())
                .setResponseBatchSize(StoreQueryable.RESPONSE_BATCH_SIZE);
        for (Aggregate aggregate : query.aggregates()) {
            request.addAggregates(Aggr.forNumber(aggregate.ordinal()));
        }
        SelectHints hints = query.hints();
        if (hints != null) {
            request.setStep(hints.step()).setRange(hints.range());
            request.setQueryHints(StoreWire.toWire(hints));
        }
        return queryable(query.partialResponse(), query.withoutReplicaLabels(), query.maxResolutionWindow()).fanOut(request.build());
    }

    @Override
    public LabelAnswer labelNamesAnswer(LabelQuery query) throws StorageException {
        StoreQueryable.Answer<String> answer = queryable(query.partialResponse(), query.withoutReplicaLabels(), 0)
                .querier(query.start(), query.end()).labelNamesOf(List.of(query.matchers()));
        return new LabelAnswer(answer.values(), answer.warnings());
    }

    @Override
    public LabelAnswer labelValuesAnswer(String name, LabelQuery query) throws StorageException {
        StoreQueryable.Answer<String> answer = queryable(query.partialResponse(), query.withoutReplicaLabels(), 0)
                .querier(query.start(), query.end()).labelValuesOf(name, List.of(query.matchers()));
        return new LabelAnswer(answer.values(), answer.warnings());
    }

    /** The fan-out for one call: the client's replica labels are dropped by the stores, nothing is deduplicated here. */
    private StoreQueryable queryable(PartialResponse partialResponse, Set<String> replicaLabels, long maxResolutionWindow) {
        List<String> dropped = new ArrayList<>(new TreeSet<>(replicaLabels));
        return new StoreQueryable(endpoints, new StoreQueryable.Options(!dropped.isEmpty(), dropped,
                partialResponse == PartialResponse.WARN, maxResolutionWindow, List.of(), maxSeriesPerStore), observer);
    }

    private static PartialResponseStrategy strategy(PartialResponse partialResponse) {
        return partialResponse == PartialResponse.ABORT ? PartialResponseStrategy.ABORT : PartialResponseStrategy.WARN;
    }
}
