package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PostingsTest {
    @Test
    void intersectMergeAndWithoutAgreeWithSetAlgebra() {
        Random random = new Random(5);
        for (int round = 0; round < 500; round++) {
            int lists = 1 + random.nextInt(4);
            List<long[]> arrays = new ArrayList<>();
            for (int i = 0; i < lists; i++) {
                arrays.add(randomSorted(random));
            }
            TreeSet<Long> union = new TreeSet<>();
            TreeSet<Long> intersection = new TreeSet<>(boxed(arrays.getFirst()));
            for (long[] array : arrays) {
                union.addAll(boxed(array));
                intersection.retainAll(boxed(array));
            }
            assertThat(Postings.toArray(Postings.merge(postings(arrays)))).containsExactly(union.stream().mapToLong(Long::longValue).toArray());
            assertThat(Postings.toArray(Postings.intersect(postings(arrays)))).containsExactly(intersection.stream().mapToLong(Long::longValue).toArray());
            long[] drop = randomSorted(random);
            TreeSet<Long> difference = new TreeSet<>(boxed(arrays.getFirst()));
            difference.removeAll(boxed(drop));
            assertThat(Postings.toArray(Postings.without(Postings.of(arrays.getFirst()), Postings.of(drop)))).containsExactly(difference.stream().mapToLong(Long::longValue).toArray());

            // seek lands on the first reference >= target, never moves back
            long target = random.nextInt(300);
            Postings merged = Postings.merge(postings(arrays));
            Long expected = union.ceiling(target);
            assertThat(merged.seek(target)).isEqualTo(expected != null);
            if (expected != null) {
                assertThat(merged.at()).isEqualTo(expected);
                assertThat(merged.seek(target - 5)).isTrue();
                assertThat(merged.at()).isEqualTo(expected);
                Long after = union.higher(expected);
                assertThat(merged.next()).isEqualTo(after != null);
            }
            Postings intersected = Postings.intersect(postings(arrays));
            Long expectedIntersection = intersection.ceiling(target);
            assertThat(intersected.seek(target)).isEqualTo(expectedIntersection != null);
            if (expectedIntersection != null) {
                assertThat(intersected.at()).isEqualTo(expectedIntersection);
            }
        }
    }

    @Test
    void regexPrefixesAreOnlyWhatEveryMatchStartsWith() {
        assertThat(MatcherPostings.literalPrefix("host-1.*")).isEqualTo("host-1");
        assertThat(MatcherPostings.literalPrefix("ab*")).isEqualTo("a");
        assertThat(MatcherPostings.literalPrefix("ab+")).isEqualTo("ab");
        assertThat(MatcherPostings.literalPrefix("ab{2}")).isEqualTo("a");
        assertThat(MatcherPostings.literalPrefix("ab?c")).isEqualTo("a");
        assertThat(MatcherPostings.literalPrefix("a|b")).isEmpty();
        assertThat(MatcherPostings.literalPrefix("(?i)abc")).isEmpty();
        assertThat(MatcherPostings.literalPrefix("a\\.b")).isEqualTo("a");
        assertThat(MatcherPostings.literalPrefix("x😀*")).isEqualTo("x");
        assertThat(MatcherPostings.literalPrefix(".*")).isEmpty();
    }

    @Test
    void exhaustedPostingsStayExhausted() {
        Postings p = Postings.of(1, 5);
        assertThat(p.next()).isTrue();
        assertThat(p.next()).isTrue();
        assertThat(p.next()).isFalse();
        assertThat(p.seek(0)).isFalse();
        assertThat(p.next()).isFalse();
        assertThat(Postings.empty().seek(0)).isFalse();
        assertThat(Postings.toArray(Postings.intersect(List.of()))).isEmpty();
        assertThat(Postings.toArray(Postings.merge(List.of()))).isEmpty();
    }

    private static List<Postings> postings(List<long[]> arrays) {
        return arrays.stream().map(Postings::of).toList();
    }

    private static long[] randomSorted(Random random) {
        return LongStream.generate(() -> random.nextInt(300)).limit(random.nextInt(120)).sorted().distinct().toArray();
    }

    private static List<Long> boxed(long[] array) {
        return Arrays.stream(array).boxed().toList();
    }
}
