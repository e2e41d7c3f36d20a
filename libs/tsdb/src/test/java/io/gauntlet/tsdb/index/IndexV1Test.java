package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Index format v1 (Prometheus 2.0–2.?): symbol references are file offsets, series references are the entries'
 * file offsets (no 16-byte alignment), and the postings offset table need not be sorted. Built by hand here.
 */
class IndexV1Test {
    private static final List<Labels> SERIES = List.of(
            Labels.of("__name__", "up", "job", "api"),
            Labels.of("__name__", "up", "job", "db", "zone", "ä"),
            Labels.of("__name__", "x", "job", "api"));

    @Test
    void readsAHandMadeV1Index() throws Exception {
        V1Index v1 = build();
        try (IndexReader reader = IndexReader.of(MemorySegment.ofArray(v1.bytes), "v1block")) {
            assertThat(reader.version()).isEqualTo(1);
            assertThat(PrometheusIndexTest.seriesOf(reader, reader.allPostings())).isEqualTo(SERIES);
            assertThat(Postings.toArray(reader.allPostings())).containsExactly(v1.seriesOffsets);
            assertThat(reader.labelNames()).containsExactly("__name__", "job", "zone");
            assertThat(reader.labelValues("job")).containsExactly("api", "db");
            assertThat(reader.labelValues("__name__")).containsExactly("up", "x");
            assertThat(PrometheusIndexTest.seriesOf(reader, reader.postings("job", "api"))).containsExactly(SERIES.get(0), SERIES.get(2));
            assertThat(PrometheusIndexTest.seriesOf(reader, MatcherPostings.postingsForMatchers(reader,
                    List.of(LabelMatcher.equal("__name__", "up"), LabelMatcher.equal("zone", ""))))).containsExactly(SERIES.get(0));
            assertThat(MatcherPostings.labelValues(reader, "job", List.of(LabelMatcher.regex("zone", ".+")))).containsExactly("db");
            assertThat(PrometheusIndexTest.seriesOf(reader, MatcherPostings.postingsForMatchers(reader, List.of(LabelMatcher.regex("job", "a.*")))))
                    .containsExactly(SERIES.get(0), SERIES.get(2));
            assertThat(PrometheusIndexTest.seriesOf(reader, MatcherPostings.postingsForMatchers(reader, List.of(LabelMatcher.regex("job", "d+b")))))
                    .containsExactly(SERIES.get(1));
            SeriesEntry entry = new SeriesEntry();
            reader.series(v1.seriesOffsets[1], entry);
            assertThat(entry.chunks()).containsExactly(new ChunkMeta(1000, 1999, 8), new ChunkMeta(2000, 2500, 300));
            assertThat(reader.symbol(v1.symbolOffsets.get("ä"))).isEqualTo("ä");
            assertThatThrownBy(() -> reader.series(v1.seriesOffsets[1] + 1, entry)).isInstanceOf(CorruptedDataException.class);
            assertThatThrownBy(() -> reader.symbol(3)).isInstanceOf(CorruptedDataException.class);
        }
    }

    private record V1Index(byte[] bytes, long[] seriesOffsets, Map<String, Long> symbolOffsets) {
    }

    private static V1Index build() {
        ByteSink out = new ByteSink(1024);
        out.putBe32(IndexReader.MAGIC);
        out.put(1);
        List<String> symbols = List.of("__name__", "api", "db", "job", "up", "x", "zone", "ä");
        long symbolsStart = out.size();
        out.putBe32(0);
        int countAt = out.size();
        out.putBe32(symbols.size());
        Map<String, Long> symbolOffsets = new HashMap<>();
        for (String symbol : symbols) {
            symbolOffsets.put(symbol, (long) out.size());
            out.putUvarintBytes(symbol.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        patchLengthAndCrc(out, (int) symbolsStart, countAt);

        long seriesStart = out.size();
        long[] seriesOffsets = new long[SERIES.size()];
        Map<String, List<Long>> postings = new TreeMap<>();
        for (int s = 0; s < SERIES.size(); s++) {
            Labels labels = SERIES.get(s);
            seriesOffsets[s] = out.size();
            ByteSink body = new ByteSink(64);
            body.putUvarint(labels.size());
            for (int i = 0; i < labels.size(); i++) {
                body.putUvarint(symbolOffsets.get(labels.name(i)));
                body.putUvarint(symbolOffsets.get(labels.value(i)));
                postings.computeIfAbsent(labels.name(i) + "\u0000" + labels.value(i), k -> new ArrayList<>()).add(seriesOffsets[s]);
            }
            body.putUvarint(2);
            body.putVarint(1000);
            body.putUvarint(999);
            body.putUvarint(8);
            body.putUvarint(1);
            body.putUvarint(500);
            body.putVarint(292);
            out.putUvarint(body.size());
            out.put(body.array(), 0, body.size());
            putCrc(out, body.array(), 0, body.size());
        }

        long postingsStart = out.size();
        Map<String, Long> listOffsets = new LinkedHashMap<>();
        listOffsets.put("\u0000", (long) out.size());
        putPostings(out, Arrays.stream(seriesOffsets).boxed().toList());
        postings.forEach((key, refs) -> {
            listOffsets.put(key, (long) out.size());
            putPostings(out, refs);
        });

        // v1 writers did not sort this table: write it backwards
        List<String> keys = new ArrayList<>(listOffsets.keySet());
        java.util.Collections.reverse(keys);
        long tableStart = out.size();
        out.putBe32(0);
        int tableCountAt = out.size();
        out.putBe32(keys.size());
        for (String key : keys) {
            String[] parts = key.split("\u0000", -1);
            out.putUvarint(2);
            out.putUvarintBytes(parts[0].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.putUvarintBytes(parts[1].getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.putUvarint(listOffsets.get(key));
        }
        patchLengthAndCrc(out, (int) tableStart, tableCountAt);

        int tocStart = out.size();
        for (long offset : new long[] {symbolsStart, seriesStart, 0, 0, postingsStart, tableStart}) {
            out.putBe64(offset);
        }
        putCrc(out, out.array(), tocStart, 48);
        return new V1Index(Arrays.copyOf(out.array(), out.size()), seriesOffsets, symbolOffsets);
    }

    private static void putPostings(ByteSink out, List<Long> refs) {
        out.putBe32(4 + 4L * refs.size());
        int from = out.size();
        out.putBe32(refs.size());
        refs.forEach(out::putBe32);
        putCrc(out, out.array(), from, out.size() - from);
    }

    // fills in the 4-byte length at lengthAt (bytes from countAt to here) and appends the CRC over them
    private static void patchLengthAndCrc(ByteSink out, int lengthAt, int countAt) {
        int length = out.size() - countAt;
        byte[] bytes = out.array();
        bytes[lengthAt] = (byte) (length >>> 24);
        bytes[lengthAt + 1] = (byte) (length >>> 16);
        bytes[lengthAt + 2] = (byte) (length >>> 8);
        bytes[lengthAt + 3] = (byte) length;
        putCrc(out, out.array(), countAt, length);
    }

    private static void putCrc(ByteSink out, byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        out.putBe32(crc.getValue());
    }
}
