package io.gauntlet.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The keys Thanos' own DefaultGroupKey test expects, so our groups are Thanos' groups. */
class CompactionGroupKeyTest {
    @Test
    void emptyLabels() {
        assertThat(CompactionGroupKey.of(0, Labels.EMPTY)).isEqualTo("0@17241709254077376921");
        assertThat(CompactionGroupKey.of(0, Map.of())).isEqualTo("0@17241709254077376921");
    }

    @Test
    void twoLabels() {
        assertThat(CompactionGroupKey.of(0, Labels.of("foo", "bar", "foo1", "bar2"))).isEqualTo("0@2124638872457683483");
        assertThat(CompactionGroupKey.of(0, Map.of("foo1", "bar2", "foo", "bar"))).isEqualTo("0@2124638872457683483");
    }

    @Test
    void labelsWithPathLikeCharacters() {
        Map<String, String> labels = Map.of("foo/some..thing/some.thing/../", "a_b_c/bar-something-a\\metric/a\\x");

        assertThat(CompactionGroupKey.of(0, labels)).isEqualTo("0@16590761456214576373");
        assertThat(CompactionGroupKey.of(0, Labels.fromMap(labels))).isEqualTo("0@16590761456214576373");
    }

    @Test
    void theResolutionLeadsTheKey() {
        Labels labels = Labels.of("cluster", "a", "prometheus_replica", "0");
        String raw = CompactionGroupKey.of(0, labels);

        assertThat(CompactionGroupKey.of(300_000, labels)).isEqualTo("300000" + raw.substring(1));
        assertThat(CompactionGroupKey.of(3_600_000, labels)).startsWith("3600000@");
    }

    @Test
    void namesAreHashedInByteOrderWhateverTheirUtf16Order() {
        // U+FFFD comes after U+1F600's surrogate pair in UTF-16 but before it in UTF-8, Go's order
        Map<String, String> labels = Map.of("\uD83D\uDE00", "a", "\uFFFD", "b");

        assertThat(CompactionGroupKey.of(0, labels)).isEqualTo(CompactionGroupKey.of(0, Labels.fromMap(labels)));
        assertThat(Labels.fromMap(labels).names()).containsExactly("\uFFFD", "\uD83D\uDE00");
        assertThat(Labels.fromMap(labels).toMap().keySet()).containsExactly("\uFFFD", "\uD83D\uDE00");
    }
}
