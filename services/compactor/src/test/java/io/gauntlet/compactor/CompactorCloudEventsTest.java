package io.gauntlet.compactor;

import static io.restassured.RestAssured.given;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventSerializer;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Block events delivered to the compactor as CloudEvents over real HTTP, in binary and structured content mode, as a
 * Knative KafkaSource sends them; the bucket is read back after each answer, since a 200 promises the work is done.
 */
@QuarkusTest
@QuarkusTestResource(value = CloudEventsTestEnvironment.class, restrictToAnnotatedClass = true)
class CompactorCloudEventsTest {
    private static final long HOUR = 3_600_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void compactsTheGroupOfEachDeliveredEventBeforeAnswering() throws Exception {
        Path bucket = CloudEventsTestEnvironment.bucket;
        BlockMeta replica0 = TestBuckets.upload(bucket, 0, 2 * HOUR, Map.of("cluster", "ce", "replica", "0"), 0);
        BlockMeta replica1 = TestBuckets.upload(bucket, 0, 2 * HOUR, Map.of("cluster", "ce", "replica", "1"), 1);
        Map<String, Long> before = TestBuckets.listing(bucket);

        // malformed requests: 400 in Prometheus' error form, and the bucket is untouched
        BlockEvent first = uploaded(replica0, "0");
        assertBadData(binary(first, "ce-id", null).body(BlockEventSerializer.data(first)).post("/"), "ce-id is missing");
        assertBadData(binary(first, "ce-specversion", "0.3").body(BlockEventSerializer.data(first)).post("/"), "spec version '0.3'");
        assertBadData(binary(first, "ce-type", "io.gauntlet.block.renamed").body(BlockEventSerializer.data(first)).post("/"),
                "not a block event type");
        assertBadData(binary(first).body("{not json".getBytes(UTF_8)).post("/"), "not valid JSON");
        assertBadData(given().contentType("application/cloudevents+json").body("{\"specversion\":".getBytes(UTF_8)).post("/"),
                "structured CloudEvent is not valid JSON");
        ObjectNode noData = structuredEnvelope(first);
        noData.remove("data");
        assertBadData(given().contentType("application/cloudevents+json").body(noData.toString()).post("/"), "has no data");
        assertBadData(given().contentType("application/cloudevents-batch+json").body("[]").post("/"), "batched");
        assertThat(TestBuckets.listing(bucket)).isEqualTo(before);

        // binary mode: replica 0's block alone (replica 1's is still within the consistency delay) needs no compaction
        Response done = binary(first).body(BlockEventSerializer.data(first)).post("/");
        assertThat(done.statusCode()).as(done.asString()).isEqualTo(200);
        assertThat(done.jsonPath().getString("outcome")).isEqualTo("done");
        assertThat(TestBuckets.listing(bucket)).isEqualTo(before);

        // structured mode: replica 1's block arrives; the answer comes after the deduplicated block is in the bucket
        BlockEvent second = uploaded(replica1, "1");
        Response compacted = given().contentType("application/cloudevents+json; charset=utf-8").body(structuredEnvelope(second).toString()).post("/");
        assertThat(compacted.statusCode()).as(compacted.asString()).isEqualTo(200);
        assertThat(compacted.jsonPath().getString("detail")).startsWith("1 compactions");
        List<String> blocks = TestBuckets.blocks(bucket);
        assertThat(blocks).hasSize(3);
        String merged = blocks.stream().filter(ulid -> !ulid.equals(replica0.ulid().toString()) && !ulid.equals(replica1.ulid().toString()))
                .findFirst().orElseThrow();
        BlockMeta mergedMeta = BlockMeta.read(bucket.resolve(merged));
        assertThat(mergedMeta.compaction().sources()).containsExactlyInAnyOrder(replica0.ulid(), replica1.ulid());
        assertThat(mergedMeta.thanos().labels()).containsExactly(Map.entry("cluster", "ce"));
        assertThat(bucket.resolve(replica0.ulid() + "/deletion-mark.json")).exists();
        assertThat(bucket.resolve(replica1.ulid() + "/deletion-mark.json")).exists();

        // a redelivery (same event id, as after a timeout) finds the work done and changes nothing
        Map<String, Long> afterCompaction = TestBuckets.listing(bucket);
        Response redelivered = binary(second).body(BlockEventSerializer.data(second)).post("/");
        assertThat(redelivered.statusCode()).as(redelivered.asString()).isEqualTo(200);
        assertThat(TestBuckets.listing(bucket)).isEqualTo(afterCompaction);

        // an event that starts no work is acknowledged as not needed
        BlockEvent marked = new BlockEvent(BlockEventType.MARKED_FOR_DELETION, "mark-1", replica0.ulid().toString(), 0, 2 * HOUR,
                Labels.of("cluster", "ce", "replica", "0"), 0, 1, List.of(replica0.ulid().toString()), new BlockStats(1, 1, 1),
                "gauntlet/compactor", first.time());
        Response notNeeded = binary(marked).body(BlockEventSerializer.data(marked)).post("/");
        assertThat(notNeeded.statusCode()).isEqualTo(200);
        assertThat(notNeeded.jsonPath().getString("outcome")).isEqualTo("not_needed");
        assertThat(TestBuckets.listing(bucket)).isEqualTo(afterCompaction);
        assertThat(Files.exists(bucket.resolve(merged).resolve("deletion-mark.json"))).isFalse();
    }

    private static BlockEvent uploaded(BlockMeta meta, String replica) {
        return BlockEvent.of(BlockEventType.UPLOADED, meta.ulid().toString(), meta.minTime(), meta.maxTime(),
                Labels.of("cluster", "ce", "replica", replica), 0, 1, List.of(meta.ulid().toString()),
                new BlockStats(meta.stats().numSamples(), meta.stats().numSeries(), meta.stats().numChunks()), "gauntlet/shipper/prometheus-" + replica);
    }

    /** CloudEvents HTTP binary content mode: attributes in ce-* headers, the data as the body; {@code changes} replace or (null) drop headers. */
    private static RequestSpecification binary(BlockEvent event, String... changes) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("ce-specversion", "1.0");
        headers.put("ce-id", event.id());
        headers.put("ce-source", event.producer());
        headers.put("ce-type", event.type().cloudEventType());
        headers.put("ce-time", DateTimeFormatter.ISO_INSTANT.format(event.time()));
        headers.put("ce-subject", event.ulid());
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == null) {
                headers.remove(changes[i]);
            } else {
                headers.put(changes[i], changes[i + 1]);
            }
        }
        RequestSpecification request = given().contentType("application/json");
        headers.forEach(request::header);
        return request;
    }

    /** CloudEvents JSON event format (structured content mode). */
    private static ObjectNode structuredEnvelope(BlockEvent event) throws Exception {
        ObjectNode envelope = JSON.createObjectNode()
                .put("specversion", "1.0")
                .put("id", event.id())
                .put("source", event.producer())
                .put("type", event.type().cloudEventType())
                .put("time", DateTimeFormatter.ISO_INSTANT.format(event.time()))
                .put("subject", event.ulid())
                .put("datacontenttype", "application/json");
        envelope.set("data", JSON.readTree(BlockEventSerializer.data(event)));
        return envelope;
    }

    private static void assertBadData(Response response, String message) {
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(400);
        assertThat(response.jsonPath().getString("errorType")).isEqualTo("bad_data");
        assertThat(response.jsonPath().getString("error")).contains(message);
    }
}
