package io.gauntlet.events;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.Labels;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class BlockEventSerializationTest {
    static final String ULID = "01HQ3Z5X8K9M2N4P6R7S8T9V0W";

    static BlockEvent uploaded() {
        return new BlockEvent(BlockEventType.UPLOADED, "3f0c8a52-6d7e-4a43-9a51-6f2b0c1d2e3f", ULID,
                1_700_000_000_000L, 1_700_007_200_000L, Labels.of("cluster", "eu-1", "prometheus_replica", "0"),
                0, 1, List.of(ULID), new BlockStats(1200, 10, 10), "gauntlet/shipper/prometheus-0",
                Instant.parse("2026-11-27T17:00:00.123456Z"));
    }

    private final BlockEventSerializer serializer = new BlockEventSerializer();
    private final BlockEventDeserializer deserializer = new BlockEventDeserializer();

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), UTF_8);
    }

    @Test
    void writesACloudEventInBinaryMode() throws Exception {
        Headers headers = new RecordHeaders();
        byte[] data = serializer.serialize("gauntlet.blocks", headers, uploaded());

        assertThat(header(headers, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(headers, "ce_id")).isEqualTo("3f0c8a52-6d7e-4a43-9a51-6f2b0c1d2e3f");
        assertThat(header(headers, "ce_source")).isEqualTo("gauntlet/shipper/prometheus-0");
        assertThat(header(headers, "ce_type")).isEqualTo("io.gauntlet.block.uploaded");
        assertThat(header(headers, "ce_time")).isEqualTo("2026-11-27T17:00:00.123456Z");
        assertThat(header(headers, "ce_subject")).isEqualTo(ULID);
        assertThat(header(headers, "content-type")).isEqualTo("application/json");
        JsonNode json = new ObjectMapper().readTree(data);
        assertThat(json).isEqualTo(new ObjectMapper().readTree("""
                {"ulid":"%s","minTime":1700000000000,"maxTime":1700007200000,
                 "externalLabels":{"cluster":"eu-1","prometheus_replica":"0"},
                 "resolution":0,"compactionLevel":1,"sources":["%s"],
                 "stats":{"numSamples":1200,"numSeries":10,"numChunks":10},
                 "producer":"gauntlet/shipper/prometheus-0"}""".formatted(ULID, ULID)));
    }

    @Test
    void aNoCompactMarkHasItsOwnType() {
        assertThat(BlockEventType.MARKED_NO_COMPACT.cloudEventType()).isEqualTo("io.gauntlet.block.marked-no-compact");
        assertThat(BlockEventType.fromCloudEventType("io.gauntlet.block.marked-no-compact")).isEqualTo(BlockEventType.MARKED_NO_COMPACT);
    }

    @Test
    void readsBackWhatItWrote() {
        for (BlockEventType type : BlockEventType.values()) {
            BlockEvent event = BlockEvent.of(type, ULID, 0, 7_200_000, Labels.of("a", "b"), 300_000, 3,
                    List.of("01HQ3Z5X8K9M2N4P6R7S8T9V0A", "01HQ3Z5X8K9M2N4P6R7S8T9V0B"), BlockStats.EMPTY, "gauntlet/compactor/0");
            Headers headers = new RecordHeaders();
            byte[] data = serializer.serialize("t", headers, event);

            assertThat(deserializer.deserialize("t", headers, data)).isEqualTo(event);
        }
    }

    @Test
    void theRecordKeyIsTheCompactionGroupKey() {
        assertThat(BlockEventSerializer.record("gauntlet.blocks", uploaded()).key())
                .isEqualTo(CompactionGroupKey.of(0, Labels.of("cluster", "eu-1", "prometheus_replica", "0")));
    }

    @Test
    void theProducerMustBeAUriReference() {
        assertThatThrownBy(() -> BlockEvent.of(BlockEventType.UPLOADED, ULID, 0, 1, Labels.EMPTY, 0, 1, List.of(), BlockStats.EMPTY, "a shipper"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("URI reference");
    }

    @Test
    void refusesToWriteWithoutHeaders() {
        assertThatThrownBy(() -> serializer.serialize("t", uploaded())).isInstanceOf(SerializationException.class)
                .hasMessageContaining("headers");
    }

    private void assertMalformed(Consumer<Headers> breakHeaders, byte[] data, String message) {
        Headers headers = new RecordHeaders();
        byte[] good = serializer.serialize("t", headers, uploaded());
        breakHeaders.accept(headers);
        assertThatThrownBy(() -> deserializer.deserialize("t", headers, data == null ? good : data))
                .isInstanceOf(MalformedEventException.class)
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(message);
    }

    private static Consumer<Headers> set(String name, String value) {
        return headers -> {
            headers.remove(name);
            headers.add(name, value.getBytes(UTF_8));
        };
    }

    private static Consumer<Headers> remove(String name) {
        return headers -> headers.remove(name);
    }

    private static byte[] json(String text) {
        return text.getBytes(UTF_8);
    }

    @Test
    void namesWhatIsWrongWithAMalformedRecord() {
        Consumer<Headers> keep = headers -> { };
        assertMalformed(remove("ce_specversion"), null, "ce_specversion is missing");
        assertMalformed(set("ce_specversion", "0.3"), null, "spec version '0.3'");
        assertMalformed(remove("ce_id"), null, "ce_id is missing");
        assertMalformed(remove("ce_type"), null, "ce_type is missing");
        assertMalformed(set("ce_type", "io.gauntlet.block.renamed"), null, "'io.gauntlet.block.renamed', not a block event type");
        assertMalformed(set("content-type", "text/plain"), null, "content-type 'text/plain'");
        assertMalformed(set("ce_time", "yesterday"), null, "ce_time 'yesterday'");
        assertMalformed(keep, json("{not json"), "not valid JSON");
        assertMalformed(keep, json("[1,2]"), "must be a JSON object");
        assertMalformed(keep, new byte[0], "has no data");
        String valid = new String(BlockEventSerializer.data(uploaded()), UTF_8);
        assertMalformed(keep, json(valid.replace("\"ulid\"", "\"id\"")), "no 'ulid'");
        assertMalformed(keep, json(valid.replace(ULID + "\",\"minTime", "not-a-ulid\",\"minTime")), "ULID");
        assertMalformed(keep, json(valid.replace("\"minTime\":1700000000000", "\"minTime\":\"soon\"")), "'minTime' must be a whole number");
        assertMalformed(keep, json(valid.replace("\"minTime\":1700000000000", "\"minTime\":1800000000000")), "maxTime");
        assertMalformed(keep, json(valid.replace("\"stats\"", "\"statistics\"")), "no 'stats'");
        assertMalformed(keep, json(valid.replace("\"compactionLevel\":1", "\"compactionLevel\":0")), "compaction level 0");
        assertMalformed(keep, json(valid.replace("\"eu-1\"", "42")), "external label 'cluster' must be a string");
        assertThatThrownBy(() -> deserializer.deserialize("t", json(valid))).isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("no headers");
    }
}
