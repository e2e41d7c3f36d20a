package io.gauntlet.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RangeAnswerTest {

    @Test
    void writingPartsMergedAsTheyAreWrittenGivesTheConcatenatedAnswersBytes() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            int parts = 1 + random.nextInt(6);
            List<RangeAnswer> inTimeOrder = new ArrayList<>();
            for (int part = 0; part < parts; part++) {
                inTimeOrder.add(RangeAnswer.parse(randomPart(random, part * 10_000L).getBytes(StandardCharsets.UTF_8)));
            }
            assertThat(new String(RangeAnswer.toJson(inTimeOrder), StandardCharsets.UTF_8))
                    .isEqualTo(new String(RangeAnswer.concat(inTimeOrder).toJson(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void pointTimesParseExactly() {
        for (String seconds : List.of("1690000000", "1690000000.5", "1690000000.123", "1690000000.1239", "-0.25", "0", "1.5e3", "-12.05")) {
            char[] padded = ("[" + seconds + "]").toCharArray();
            assertThat(RangeAnswer.millis(padded, 1, seconds.length())).as(seconds)
                    .isEqualTo(Math.round(new java.math.BigDecimal(seconds).movePointRight(3).setScale(0, java.math.RoundingMode.DOWN).doubleValue()));
        }
    }

    @Test
    void decodedExtentsAreReusedOnlyForTheSameBytes() {
        RangeAnswer.Series series = new RangeAnswer.Series(Labels.of("__name__", "up"), "{\"__name__\":\"up\"}".getBytes(StandardCharsets.UTF_8),
                new long[] {1000, 2000}, "12".getBytes(StandardCharsets.US_ASCII), new int[] {1, 2});
        List<Extent> extents = List.of(new Extent(1000, 2000, 5, new RangeAnswer(List.of(series), List.of())));
        byte[] value = Extent.encode("k", extents);
        DecodedExtents decoded = new DecodedExtents(1 << 20);
        decoded.remember("h", value, extents);
        assertThat(decoded.decode("h", "k", value.clone())).isSameAs(decoded.decode("h", "k", value));
        byte[] other = Extent.encode("k", List.of(new Extent(1000, 1000, 6, new RangeAnswer(List.of(series), List.of()).slice(1000, 1000))));
        assertThat(decoded.decode("h", "k", other)).singleElement().satisfies(extent -> assertThat(extent.computedAt()).isEqualTo(6));
        assertThat(new DecodedExtents(10).decode("h", "k", value)).hasSize(1); // over the budget: decoded, not kept
    }

    /** A querier-shaped part: series in label order (sometimes not), some missing, some label sets twice. */
    private static String randomPart(Random random, long from) {
        List<String> names = new ArrayList<>(List.of("a", "b", "c", "d", "e"));
        if (random.nextInt(4) == 0) {
            java.util.Collections.shuffle(names, random);
        }
        StringBuilder json = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[");
        boolean firstSeries = true;
        for (String name : names) {
            if (random.nextInt(3) == 0) {
                continue;
            }
            int copies = random.nextInt(8) == 0 ? 2 : 1;
            for (int copy = 0; copy < copies; copy++) {
                json.append(firstSeries ? "" : ",").append("{\"metric\":{\"instance\":\"").append(name).append("\"},\"values\":[");
                firstSeries = false;
                int points = random.nextInt(4);
                for (int p = 0; p < points; p++) {
                    long millis = from + p * 1500L + copy;
                    json.append(p == 0 ? "" : ",").append('[').append(millis / 1000);
                    if (millis % 1000 != 0) {
                        json.append('.').append(String.format("%03d", millis % 1000));
                    }
                    json.append(",\"").append(random.nextInt(100) / 4.0).append("\"]");
                }
                json.append("]}");
            }
        }
        json.append("]}");
        if (random.nextInt(5) == 0) {
            json.append(",\"warnings\":[\"w").append(random.nextInt(2)).append("\"]");
        }
        return json.append('}').toString();
    }
}
