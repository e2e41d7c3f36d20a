package io.gauntlet.tsdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelsTest {
    @Test
    void sortsByNameAndDropsEmptyValues() {
        Labels labels = Labels.of("job", "node", "__name__", "up", "instance", "", "a", "1");
        assertThat(labels.names()).containsExactly("__name__", "a", "job");
        assertThat(labels.get("job")).isEqualTo("node");
        assertThat(labels.get("instance")).isEmpty();
        assertThat(labels.has("instance")).isFalse();
        assertThat(labels).hasToString("up{a=\"1\", job=\"node\"}");
    }

    @Test
    void ordersSeriesAsAnIndexDoes() {
        List<Labels> sets = new ArrayList<>(List.of(
                Labels.of("a", "2"), Labels.of("a", "1", "b", "1"), Labels.of("a", "1"), Labels.of("b", "0")));
        sets.sort(null);
        assertThat(sets).containsExactly(Labels.of("a", "1"), Labels.of("a", "1", "b", "1"), Labels.of("a", "2"), Labels.of("b", "0"));
    }

    @Test
    void comparesInUtf8ByteOrderAsPrometheusDoes() {
        String emoji = "\uD83D\uDE00"; // U+1F600: surrogates in UTF-16, but above U+E000 in UTF-8
        String privateUse = "\uE000";
        assertThat(emoji.compareTo(privateUse)).isNegative();
        assertThat(Labels.compareStrings(emoji, privateUse)).isPositive();
        assertThat(Labels.of("a", emoji)).isGreaterThan(Labels.of("a", privateUse));
    }

    @Test
    void equalityAndHashFollowContent() {
        assertThat(Labels.of("x", "1", "y", "2")).isEqualTo(Labels.of("y", "2", "x", "1"))
                .hasSameHashCodeAs(Labels.of("y", "2", "x", "1"))
                .isNotEqualTo(Labels.of("x", "1"));
    }

    @Test
    void withoutAndKeepOnly() {
        Labels labels = Labels.of("__name__", "m", "replica", "0", "job", "j");
        assertThat(labels.without(Set.of("replica"))).isEqualTo(Labels.of("__name__", "m", "job", "j"));
        assertThat(labels.keepOnly(Set.of("job"))).isEqualTo(Labels.of("job", "j"));
    }

    @Test
    void rejectsOddArguments() {
        assertThatThrownBy(() -> Labels.of("a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void matchersAreAnchoredAndTreatMissingAsEmpty() {
        Labels labels = Labels.of("job", "node_exporter");
        assertThat(LabelMatcher.regex("job", "node").matches(labels)).isFalse();
        assertThat(LabelMatcher.regex("job", "node.*").matches(labels)).isTrue();
        assertThat(LabelMatcher.regex("job", "a|node_exporter").matches(labels)).isTrue();
        assertThat(LabelMatcher.notRegex("job", "node.*").matches(labels)).isFalse();
        assertThat(LabelMatcher.equal("missing", "").matches(labels)).isTrue();
        assertThat(LabelMatcher.notEqual("missing", "").matches(labels)).isFalse();
        assertThat(LabelMatcher.regex("missing", ".*").matchesEmpty()).isTrue();
        assertThat(LabelMatcher.regex("x", "a.b").matches("a\nb")).isFalse(); // 2.x: '.' stops at newlines
        assertThatThrownBy(() -> LabelMatcher.regex("job", "(")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid regular expression");
    }
}
