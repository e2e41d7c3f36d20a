package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads an index that Prometheus (promtool 2.42) wrote and checks it against the series that went in. */
class PrometheusIndexTest {
    @TempDir
    static Path work;
    static PromtoolBlocks.Block block;
    static List<Labels> sortedInput;

    @BeforeAll
    static void createBlock() throws Exception {
        block = PromtoolBlocks.create(work, 42, 3000);
        sortedInput = block.series().stream().sorted(Utf8Order::compare).toList();
    }

    @Test
    void everySeriesReadsBackWithOrderedChunksInsideTheBlockRange() throws Exception {
        JsonNode meta = new ObjectMapper().readTree(block.directory().resolve("meta.json").toFile());
        long blockMin = meta.get("minTime").asLong();
        long blockMax = meta.get("maxTime").asLong();
        long segmentSize = Files.size(block.directory().resolve("chunks/000001"));
        try (IndexReader index = IndexReader.open(block.index())) {
            assertThat(index.version()).isEqualTo(2);
            List<Labels> read = new ArrayList<>();
            SeriesEntry entry = new SeriesEntry();
            Postings all = index.allPostings();
            long previous = -1;
            int multiChunk = 0;
            while (all.next()) {
                assertThat(all.at()).isGreaterThan(previous);
                previous = all.at();
                index.series(all.at(), entry);
                read.add(entry.labels());
                assertThat(entry.chunkCount()).isPositive();
                multiChunk += entry.chunkCount() > 1 ? 1 : 0;
                for (int c = 0; c < entry.chunkCount(); c++) {
                    assertThat(entry.chunkMinTime(c)).isLessThanOrEqualTo(entry.chunkMaxTime(c)).isGreaterThanOrEqualTo(blockMin);
                    assertThat(entry.chunkMaxTime(c)).isLessThan(blockMax);
                    assertThat(entry.chunkRef(c) >>> 32).isZero();
                    assertThat(entry.chunkRef(c) & 0xFFFF_FFFFL).isBetween(8L, segmentSize - 1);
                    if (c > 0) {
                        assertThat(entry.chunkMinTime(c)).isGreaterThan(entry.chunkMaxTime(c - 1));
                        assertThat(entry.chunkRef(c)).isGreaterThan(entry.chunkRef(c - 1));
                    }
                }
            }
            assertThat(read).containsExactlyElementsOf(sortedInput);
            assertThat(multiChunk).as("series with more than one chunk").isPositive();
        }
    }

    @Test
    void labelNamesAndValuesMatchTheInput() throws Exception {
        try (IndexReader index = IndexReader.open(block.index())) {
            TreeSet<String> names = new TreeSet<>(Utf8Order::compare);
            sortedInput.forEach(labels -> names.addAll(labels.names()));
            assertThat(index.labelNames()).containsExactlyElementsOf(names);
            for (String name : names) {
                TreeSet<String> values = sortedInput.stream().filter(l -> l.has(name)).map(l -> l.get(name))
                        .collect(Collectors.toCollection(() -> new TreeSet<>(Utf8Order::compare)));
                assertThat(index.labelValues(name)).as(name).containsExactlyElementsOf(values);
                for (String value : values) {
                    List<Labels> expected = sortedInput.stream().filter(l -> l.get(name).equals(value)).toList();
                    assertThat(seriesOf(index, index.postings(name, value))).as(name + "=" + value).isEqualTo(expected);
                }
            }
            assertThat(index.labelValues("no_such_label")).isEmpty();
            assertThat(Postings.toArray(index.postings("job", "no-such-value"))).isEmpty();
            assertThat(Postings.toArray(index.postings("instance", "~~~ after every value"))).isEmpty();
            assertThat(Postings.toArray(index.postings("instance", ""))).isEmpty();
        }
    }

    @Test
    void postingsForMatchersEqualABruteForceFilter() throws Exception {
        Random random = new Random(7);
        String[] names = {"__name__", "job", "instance", "method", "region", "env", "missing"};
        String[] values = {"", "up", "GET", "get", "api", "db", "prod", "östra", "北京", "😀-emoji", "nothing", "10.0.1.7:93",
                "quote\"back\\slash"};
        String[] regexes = {".*", ".+", "", "G.*", "GET|POST", "(?i)get", "10\\.0\\.[12]\\..*", "eu-.*|北京", "prod|", "nope|nada",
                ".*emoji", "a.newline", "[^a-z]*", "ö.*", "10.0.1.*", "pr?od", "GE+T", "quote\"b.*", "北.*", "😀.*", "d{1}b"};
        int checked = 0;
        try (IndexReader index = IndexReader.open(block.index())) {
            for (int round = 0; round < 400; round++) {
                List<LabelMatcher> matchers = new ArrayList<>();
                int count = 1 + random.nextInt(3);
                for (int m = 0; m < count; m++) {
                    LabelMatcher.Type type = LabelMatcher.Type.values()[random.nextInt(4)];
                    String name = names[random.nextInt(names.length)];
                    String value = type == LabelMatcher.Type.EQUAL || type == LabelMatcher.Type.NOT_EQUAL
                            ? values[random.nextInt(values.length)] : regexes[random.nextInt(regexes.length)];
                    matchers.add(LabelMatcher.of(type, name, value));
                }
                List<Labels> expected = sortedInput.stream().filter(l -> matchers.stream().allMatch(m -> m.matches(l))).toList();
                assertThat(seriesOf(index, MatcherPostings.postingsForMatchers(index, matchers))).as(matchers.toString()).isEqualTo(expected);

                TreeSet<String> expectedNames = new TreeSet<>(Utf8Order::compare);
                expected.forEach(l -> expectedNames.addAll(l.names()));
                assertThat(MatcherPostings.labelNames(index, matchers)).as("names " + matchers).containsExactlyElementsOf(expectedNames);
                String name = names[random.nextInt(names.length)];
                TreeSet<String> expectedValues = expected.stream().filter(l -> l.has(name)).map(l -> l.get(name))
                        .collect(Collectors.toCollection(() -> new TreeSet<>(Utf8Order::compare)));
                assertThat(MatcherPostings.labelValues(index, name, matchers)).as("values of " + name + " " + matchers)
                        .containsExactlyElementsOf(expectedValues);
                assertThat(MatcherPostings.labelValues(index, name, matchers, 0)).as("values via postings of " + name + " " + matchers)
                        .containsExactlyElementsOf(expectedValues);
                checked += expected.isEmpty() ? 0 : 1;
            }
            assertThat(MatcherPostings.postingsForMatchers(index, List.of()).next()).isFalse();
        }
        assertThat(checked).as("rounds with a non-empty selection").isGreaterThan(100);
    }

    static List<Labels> seriesOf(IndexReader index, Postings postings) throws Exception {
        List<Labels> out = new ArrayList<>();
        SeriesEntry entry = new SeriesEntry();
        while (postings.next()) {
            index.series(postings.at(), entry);
            out.add(entry.labels());
        }
        return out;
    }
}
