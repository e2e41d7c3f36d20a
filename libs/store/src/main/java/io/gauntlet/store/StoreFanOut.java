package io.gauntlet.store;

import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;

/**
 * A querier's Series call over many stores: only stores whose Info time range overlaps the request and whose
 * external label sets can match the matchers are asked (as Thanos' proxy selects stores), their answers merged by
 * a {@link ProxySeriesSet}.
 */
public final class StoreFanOut {
    private StoreFanOut() {
    }

    /** A store and what its Info said about it. */
    public record Endpoint(StoreClient client, InfoResponse info) {
        /**
         * Whether this store may hold series for the request: it serves the StoreAPI (its Info has a {@code store}
         * section; a rules- or metadata-only endpoint has none), its time range overlaps and its label sets can match.
         */
        public boolean mayMatch(long minTime, long maxTime, List<LabelMatcher> matchers) {
            if (!servesStoreApi() || info.getStore().getMinTime() > maxTime || info.getStore().getMaxTime() < minTime) {
                return false;
            }
            if (info.getLabelSetsCount() == 0) {
                return true;
            }
            for (ZLabelSet set : info.getLabelSetsList()) {
                if (couldMatch(StoreWire.fromWire(set.getLabelsList()), matchers)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the endpoint's Info advertises the StoreAPI. */
        public boolean servesStoreApi() {
            return info.hasStore();
        }

        private static boolean couldMatch(Labels labelSet, List<LabelMatcher> matchers) {
            for (LabelMatcher matcher : matchers) {
                if (labelSet.has(matcher.name()) && !matcher.matches(labelSet.get(matcher.name()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Starts the Series call on every store that may match and merges the answers.
     *
     * @throws IllegalArgumentException when a matcher of the request is invalid (bad regex)
     */
    public static ProxySeriesSet series(List<Endpoint> endpoints, SeriesRequest request, PartialResponse strategy) {
        List<LabelMatcher> matchers = StoreWire.fromWireMatchers(request.getMatchersList());
        List<StoreSeriesSet> sets = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            if (endpoint.mayMatch(request.getMinTime(), request.getMaxTime(), matchers)) {
                sets.add(endpoint.client().series(request));
            }
        }
        return new ProxySeriesSet(sets, strategy);
    }
}
