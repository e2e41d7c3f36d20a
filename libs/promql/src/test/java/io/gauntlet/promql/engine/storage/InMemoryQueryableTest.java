package io.gauntlet.promql.engine.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Querier;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryQueryableTest {
    @Test
    void selectsMatchingSeriesInLabelOrderTrimmedToTheQuerierRange() throws Exception {
        InMemoryQueryable storage = new InMemoryQueryable();
        Labels b = Labels.of("__name__", "up", "job", "b");
        Labels a = Labels.of("__name__", "up", "job", "a");
        Labels other = Labels.of("__name__", "down", "job", "a");
        for (long t = 0; t < 100; t += 10) {
            storage.append(b, t, t);
            storage.append(a, t, -t);
            storage.append(other, t, 1);
        }
        try (Querier querier = storage.querier(20, 40)) {
            SeriesSet set = querier.select(true, null, List.of(LabelMatcher.equal("__name__", "up")));
            List<Labels> labels = new ArrayList<>();
            List<Long> timestamps = new ArrayList<>();
            SampleIterator iterator = null;
            while (set.next()) {
                labels.add(set.at().labels());
                iterator = set.at().iterator(iterator);
                while (iterator.next()) {
                    timestamps.add(iterator.timestamp());
                }
            }
            assertThat(labels).containsExactly(a, b);
            assertThat(timestamps).containsExactly(20L, 30L, 40L, 20L, 30L, 40L);
            assertThat(querier.labelValues("job", List.of())).containsExactly("a", "b");
            assertThat(querier.labelNames(List.of(LabelMatcher.equal("__name__", "down")))).containsExactly("__name__", "job");
        }
    }

    @Test
    void seekNeverMovesBackwards() throws Exception {
        InMemoryQueryable storage = new InMemoryQueryable();
        Labels series = Labels.of("__name__", "x");
        for (long t = 0; t < 50; t += 10) {
            storage.append(series, t, t);
        }
        SeriesSet set = storage.querier(Long.MIN_VALUE, Long.MAX_VALUE).select(false, null, List.of(LabelMatcher.equal("__name__", "x")));
        assertThat(set.next()).isTrue();
        SampleIterator iterator = set.at().iterator(null);
        assertThat(iterator.seek(25)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(30);
        assertThat(iterator.seek(5)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(30);
        assertThat(iterator.seek(41)).isFalse();
    }

    @Test
    void rejectsOutOfOrderSamples() {
        InMemoryQueryable storage = new InMemoryQueryable();
        Labels series = Labels.of("__name__", "x");
        storage.append(series, 10, 1);
        storage.append(series, 10, 2);
        assertThatThrownBy(() -> storage.append(series, 5, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("out of order");
        assertThatThrownBy(() -> storage.append(Labels.EMPTY, 5, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
