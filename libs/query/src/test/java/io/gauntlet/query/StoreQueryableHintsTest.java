package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.RecordingChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SelectHints;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What a selection tells the stores: Thanos' query hints, and a resolution capped at half a rate-like function's range. */
class StoreQueryableHintsTest {
    private static final List<LabelMatcher> UP = List.of(LabelMatcher.equal("__name__", "up"));
    private static final long HOUR = 3_600_000;
    private static RecordingChunkSource source;
    private static StoreFixture store;
    private static StoreClient client;

    @BeforeAll
    static void start() throws Exception {
        MemoryChunkSource data = new MemoryChunkSource("store", Labels.of("site", "a"));
        data.add(Labels.of("__name__", "up", "instance", "i"), new long[] {1000, 2000}, new double[] {1, 2});
        source = new RecordingChunkSource(data);
        store = StoreFixture.serve(source);
        client = StoreClient.connect(store.address(), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        client.close();
        store.close();
    }

    /** The store's view of one selection made with {@code hints} at {@code max_source_resolution} {@code maxResolution}. */
    private static StoreQuery select(long maxResolution, SelectHints hints) throws StorageException {
        var endpoints = List.of(new StoreFanOut.Endpoint(client, client.info()));
        var queryable = new StoreQueryable(() -> endpoints, new StoreQueryable.Options(true, List.of(), false, maxResolution, List.of(), 0));
        try (Querier querier = queryable.querier(0, 3000)) {
            SeriesSet set = querier.select(false, hints, UP);
            while (set.next()) {
                set.at();
            }
        }
        return source.asked();
    }

    @Test
    void queryHintsCarryStepFunctionGroupingAndRange() throws StorageException {
        StoreQuery query = select(0, new SelectHints(0, 3000, 60_000, "rate", 300_000, List.of("job"), true));
        assertThat(query.hints()).isEqualTo(new SelectHints(0, 3000, 60_000, "rate", 300_000, List.of("job"), true));
        assertThat(query.maxResolutionWindow()).isZero();
    }

    @Test
    void rateLikeFunctionsReadAtMostHalfTheirRange() throws StorageException {
        for (String function : List.of("rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "holt_winters")) {
            assertThat(select(HOUR, new SelectHints(0, 3000, 60_000, function, 20 * 60_000, List.of(), false)).maxResolutionWindow())
                    .as(function).isEqualTo(10 * 60_000);
        }
        // a range wider than twice the allowed resolution leaves it as asked
        assertThat(select(5 * 60_000, new SelectHints(0, 3000, 0, "rate", HOUR, List.of(), false)).maxResolutionWindow())
                .isEqualTo(5 * 60_000);
    }

    @Test
    void otherSelectionsKeepTheAskedResolution() throws StorageException {
        assertThat(select(HOUR, new SelectHints(0, 3000, 0, "sum_over_time", 20 * 60_000, List.of(), false)).maxResolutionWindow())
                .isEqualTo(HOUR);
        assertThat(select(HOUR, new SelectHints(0, 3000, 0, "rate", 0, List.of(), false)).maxResolutionWindow()).isEqualTo(HOUR);
        StoreQuery plain = select(HOUR, null);
        assertThat(plain.maxResolutionWindow()).isEqualTo(HOUR);
        assertThat(plain.hints()).isNull();
    }
}
