package io.gauntlet.promql.parser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The series lines of the golden test language ({@code load} blocks). */
class SeriesDescriptionTest {

    @Test
    void expandsIncrementsAndRepetitions() {
        assertThat(values("m 0+10x3")).containsExactly(0.0, 10.0, 20.0, 30.0);
        assertThat(values("m 1-1x2")).containsExactly(1.0, 0.0, -1.0);
        assertThat(values("m -2+0.5x2")).containsExactly(-2.0, -1.5, -1.0);
        assertThat(values("m 5x2")).containsExactly(5.0, 5.0, 5.0);
        assertThat(values("m 0x10")).hasSize(11).containsOnly(0.0); // no hex in series lines
        assertThat(values("m 1 2 3")).containsExactly(1.0, 2.0, 3.0);
        assertThat(values("m -9.988465674311579e+307 Inf -Inf")).containsExactly(-9.988465674311579e+307,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
        assertThat(values("m 0+1.33x2")).containsExactly(0.0, 1.33, 1.33 + 1.33);
    }

    @Test
    void blanksAndStalenessMarkers() {
        SeriesDescription series = PromqlParser.parseSeriesDescription("m 1 _ _x2 stale NaN");
        assertThat(series.values()).hasSize(6);
        assertThat(series.values().get(0)).isEqualTo(SeriesValue.of(1));
        assertThat(series.values().subList(1, 4)).containsOnly(SeriesValue.OMITTED);
        SeriesValue stale = series.values().get(4);
        assertThat(stale.isStale()).isTrue();
        assertThat(Double.doubleToRawLongBits(stale.value())).isEqualTo(0x7ff0000000000002L);
        SeriesValue nan = series.values().get(5);
        assertThat(Double.isNaN(nan.value())).isTrue();
        assertThat(nan.isStale()).isFalse();
    }

    @Test
    void readsLabelsWithTabsSpacesAndEscapes() {
        SeriesDescription series = PromqlParser.parseSeriesDescription(
                "\thttp_requests{job=\"api-server\", instance=\"0\", path=\"some samples\", q='a\\'b',}\t\t0+10x1");
        assertThat(series.labels()).isEqualTo(Labels.of("__name__", "http_requests", "job", "api-server",
                "instance", "0", "path", "some samples", "q", "a'b"));
        assertThat(series.values()).hasSize(2);
        assertThat(PromqlParser.parseSeriesDescription("{__name__=\"x\", a=\"b\"} 1").labels())
                .isEqualTo(Labels.of("__name__", "x", "a", "b"));
        assertThat(PromqlParser.parseSeriesDescription("sum:rate 1").labels()).isEqualTo(Labels.of("__name__", "sum:rate"));
    }

    @Test
    void rejectsMalformedLines() {
        assertThatThrownBy(() -> PromqlParser.parseSeriesDescription("m 1+x3")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> PromqlParser.parseSeriesDescription("m abc")).isInstanceOf(ParseException.class)
                .hasMessageContaining("expected number or \"stale\"");
        assertThatThrownBy(() -> PromqlParser.parseSeriesDescription("m{a=b} 1")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> PromqlParser.parseSeriesDescription("m{a=\"b\" 1")).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> PromqlParser.parseSeriesDescription("m 1x99999999999")).isInstanceOf(ParseException.class);
    }

    @Test
    void everyLoadLineOfTheGoldenFilesParses() throws IOException {
        Path directory = QueryCorpus.goldenDirectory();
        assumeTrue(directory != null, "golden files not found under gauntlet.shared.dir; skipping");
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".test")).sorted().toList()) {
                boolean inLoad = false;
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("load ")) {
                        inLoad = true;
                    } else if (line.isBlank() || !Character.isWhitespace(line.charAt(0))) {
                        inLoad = false;
                    } else if (inLoad) {
                        lines.add(line);
                    }
                }
            }
        }
        assertThat(lines).hasSizeGreaterThan(300);
        for (String line : lines) {
            SeriesDescription series = PromqlParser.parseSeriesDescription(line);
            assertThat(series.labels().isEmpty()).as(line).isFalse();
            assertThat(series.values()).as(line).isNotEmpty();
        }
    }

    private static List<Double> values(String line) {
        return PromqlParser.parseSeriesDescription(line).values().stream().map(SeriesValue::value).toList();
    }
}
