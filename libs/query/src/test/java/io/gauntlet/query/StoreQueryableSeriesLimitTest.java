package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Max series per store response: a store over the limit fails alone, as any store failure does. */
class StoreQueryableSeriesLimitTest {
    private static final List<LabelMatcher> UP = List.of(LabelMatcher.equal("__name__", "up"));
    private static StoreFixture big;
    private static StoreFixture small;
    private static final List<StoreClient> clients = new ArrayList<>();
    private static List<StoreFanOut.Endpoint> endpoints;

    @BeforeAll
    static void start() throws Exception {
        big = StoreFixture.serve(store("big", 5));
        small = StoreFixture.serve(store("small", 2));
        endpoints = new ArrayList<>();
        for (StoreFixture fixture : List.of(big, small)) {
            StoreClient client = StoreClient.connect(fixture.address(), Duration.ofSeconds(10));
            clients.add(client);
            endpoints.add(new StoreFanOut.Endpoint(client, client.info()));
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        clients.forEach(StoreClient::close);
        big.close();
        small.close();
    }

    /** {@code count} series of {@code up} behind the external label {@code site}. */
    private static MemoryChunkSource store(String site, int count) {
        MemoryChunkSource source = new MemoryChunkSource("store", Labels.of("site", site));
        for (int i = 0; i < count; i++) {
            source.add(Labels.of("__name__", "up", "instance", "i" + i), new long[] {1000, 2000}, new double[] {1, i});
        }
        return source;
    }

    private static StoreQueryable queryable(boolean partialResponse, long maxSeries) {
        return new StoreQueryable(() -> endpoints, new StoreQueryable.Options(true, List.of(), partialResponse, 0, List.of(), maxSeries));
    }

    private static List<String> sites(SeriesSet set) throws StorageException {
        List<String> out = new ArrayList<>();
        while (set.next()) {
            out.add(set.at().labels().get("site"));
        }
        return out;
    }

    @Test
    void storesWithinTheLimitAnswerInFullEvenWhenTheMergeIsLarger() throws StorageException {
        try (Querier querier = queryable(false, 5).querier(0, 3000)) {
            SeriesSet set = querier.select(false, null, UP);
            assertThat(sites(set)).hasSize(7);
            assertThat(set.warnings()).isEmpty();
        }
    }

    @Test
    void aStoreOverTheLimitBecomesAWarningWithPartialResponse() throws StorageException {
        try (Querier querier = queryable(true, 3).querier(0, 3000)) {
            SeriesSet set = querier.select(false, null, UP);
            List<String> sites = sites(set);
            // the small store answers in full; the big one is cut off at its limit
            assertThat(sites).filteredOn("small"::equals).hasSize(2);
            assertThat(sites).filteredOn("big"::equals).hasSizeLessThanOrEqualTo(3);
            assertThat(set.warnings()).singleElement().asString()
                    .contains("store " + big.address(), "RESOURCE_EXHAUSTED", "exceeded the limit of 3 series per store response");
        }
    }

    @Test
    void aStoreOverTheLimitFailsTheQueryWithoutPartialResponse() {
        assertThatThrownBy(() -> {
            try (Querier querier = queryable(false, 3).querier(0, 3000)) {
                sites(querier.select(false, null, UP));
            }
        }).isInstanceOf(StoreException.class).hasMessageContaining("store " + big.address())
                .hasMessageContaining("exceeded the limit of 3 series per store response");
    }

    @Test
    void theSeriesApiAppliesTheSameLimit() throws StorageException {
        try (StoreQueryable.StoreQuerier querier = queryable(true, 3).querier(0, 3000)) {
            StoreQueryable.Answer<Labels> answer = querier.series(List.of(UP));
            assertThat(answer.values()).filteredOn(l -> l.get("site").equals("small")).hasSize(2);
            assertThat(answer.warnings()).singleElement().asString().contains("exceeded the limit of 3 series per store response");
        }
    }
}
