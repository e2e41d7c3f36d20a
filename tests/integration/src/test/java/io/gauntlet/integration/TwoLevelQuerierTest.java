package io.gauntlet.integration;

import static io.gauntlet.integration.RealStackParityTest.END;
import static io.gauntlet.integration.RealStackParityTest.QUERIES;
import static io.gauntlet.integration.RealStackParityTest.SPLIT;
import static io.gauntlet.integration.RealStackParityTest.T0;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A global view two levels deep, every process the real service: a master querier (fast-jar) whose only endpoint is a
 * slave querier's StoreAPI (fast-jar), which fans out to a sidecar (fast-jar, over Prometheus 2.42 holding the last two
 * hours) and a store gateway (fast-jar, over a bucket holding the first four hours as an HA pair: replicas a and b, each
 * with a hole of its own). The slave does not deduplicate what it serves; the master does. Every query of the querier
 * parity test, instant at four times and as a range over all six hours, and the series and label APIs, must answer
 * exactly as the slave querier answers over the same stores itself.
 */
class TwoLevelQuerierTest {
    private static final long H = 3_600_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REPLICA = "prometheus_replica";

    @TempDir
    static Path work;
    private static final ServiceProcess.Group processes = new ServiceProcess.Group();
    private static ServiceProcess slave;
    private static ServiceProcess master;
    private static int nonEmptyAnswers;

    @BeforeAll
    static void startStack() throws Exception {
        SampleSet data = RealStackParityTest.generate();
        ServiceProcess fresh = processes.add(ServiceProcess.startPrometheus(work, "fresh", data.openMetrics(SPLIT, END),
                "  external_labels:\n    cluster: it\n    " + REPLICA + ": a\n"));
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        for (long from = T0; from < SPLIT; from += 2 * H) {
            // each replica misses ten minutes of samples (a restart), at a different time
            withHole(data, T0 + 50 * 60_000, T0 + 60 * 60_000).writeBlock(bucket, from, from + 2 * H, Map.of("cluster", "it", REPLICA, "a"));
            withHole(data, T0 + 150 * 60_000, T0 + 160 * 60_000).writeBlock(bucket, from, from + 2 * H, Map.of("cluster", "it", REPLICA, "b"));
        }
        ServiceProcess sidecar = processes.add(ServiceProcess.startSidecar(work, fresh.url()));
        ServiceProcess gateway = processes.add(ServiceProcess.startStoreGateway(work, bucket));
        List<String> dedup = List.of("-Dgauntlet.querier.replica-labels=" + REPLICA);
        slave = processes.add(ServiceProcess.startQuerier(work, "querier-slave", List.of(sidecar, gateway), dedup));
        master = processes.add(ServiceProcess.startQuerier(work, "querier-master", List.of(slave), dedup));
    }

    @AfterAll
    static void stopStack() {
        processes.close();
    }

    private static SampleSet withHole(SampleSet data, long from, long to) {
        List<SampleSet.Series> out = new ArrayList<>();
        for (SampleSet.Series series : data.series()) {
            int kept = 0;
            long[] timestamps = new long[series.timestamps().length];
            double[] values = new double[timestamps.length];
            for (int i = 0; i < timestamps.length; i++) {
                if (series.timestamps()[i] < from || series.timestamps()[i] >= to) {
                    timestamps[kept] = series.timestamps()[i];
                    values[kept++] = series.values()[i];
                }
            }
            out.add(new SampleSet.Series(series.labels(), java.util.Arrays.copyOf(timestamps, kept), java.util.Arrays.copyOf(values, kept)));
        }
        return new SampleSet(out);
    }

    @Test
    void theMasterSeesTheSlaveAsAQuerierStore() throws IOException {
        JsonNode stores = answer(master, "/api/v1/stores").path("data");
        assertThat(stores.path("query")).hasSize(1);
        JsonNode store = stores.path("query").get(0);
        assertThat(store.path("healthy").asBoolean()).isTrue();
        assertThat(store.path("labelSets").toString()).contains("\"" + REPLICA + "\":\"a\"", "\"" + REPLICA + "\":\"b\"");
    }

    @Test
    void theHaPairIsDeduplicatedAtTheTopOnly() throws IOException {
        String at = "&time=" + (T0 + 2 * H) / 1000;
        // in the bucket's hours both replicas answer: 40 series each, one set after deduplication
        assertThat(answer(master, "/api/v1/query?query=http_requests_total" + at).path("data").path("result")).hasSize(40);
        JsonNode both = answer(master, "/api/v1/query?dedup=false&query=http_requests_total" + at).path("data").path("result");
        assertThat(both).hasSize(80);
        assertThat(both.get(0).path("metric").has(REPLICA)).isTrue();
    }

    @Test
    void instantQueriesAnswerAsOneQuerierOverTheStores() throws IOException {
        List<String> differences = new ArrayList<>();
        nonEmptyAnswers = 0;
        // inside the hole of replica a, of replica b, on the hand-over to the sidecar, in the sidecar's hours
        for (long at : new long[] {T0 + 55 * 60_000 + 7_000, T0 + 155 * 60_000, SPLIT + 60_000, END - 30_000}) {
            for (String query : QUERIES) {
                compare("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + at / 1000.0, differences);
            }
        }
        assertThat(differences).isEmpty();
        assertThat(nonEmptyAnswers).as("non-empty answers").isGreaterThan(QUERIES.size() * 4 * 8 / 10);
    }

    @Test
    void rangeQueriesAnswerAsOneQuerierOverTheStores() throws IOException {
        List<String> differences = new ArrayList<>();
        for (String query : QUERIES) {
            compare("/api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start=" + (T0 + H) / 1000
                    + "&end=" + END / 1000 + "&step=60", differences);
        }
        assertThat(differences).isEmpty();
    }

    @Test
    void seriesAndLabelsAnswerAsOneQuerierOverTheStores() throws IOException {
        List<String> differences = new ArrayList<>();
        String window = "start=" + T0 / 1000 + "&end=" + END / 1000;
        String selector = URLEncoder.encode("{__name__=~\"gappy_values|node_temperature_celsius\"}", StandardCharsets.UTF_8);
        for (String path : List.of("/api/v1/series?match[]=" + selector + "&" + window, "/api/v1/series?dedup=false&match[]=" + selector + "&" + window,
                "/api/v1/labels?" + window, "/api/v1/label/instance/values?" + window, "/api/v1/label/" + REPLICA + "/values?dedup=false&" + window)) {
            compare(path, differences);
        }
        assertThat(differences).isEmpty();
        assertThat(answer(master, "/api/v1/label/" + REPLICA + "/values?dedup=false&" + window).path("data").toString()).isEqualTo("[\"a\",\"b\"]");
    }

    /** The master's answer must be the slave's own, to the byte of every value (instant vectors in label order). */
    private static void compare(String path, List<String> differences) throws IOException {
        JsonNode expected = answer(slave, path);
        JsonNode actual = answer(master, path);
        nonEmptyAnswers += expected.path("data").path("result").isEmpty() ? 0 : 1;
        if (!normalised(actual).equals(normalised(expected))) {
            differences.add(path + ":\n  slave  " + expected + "\n  master " + actual);
        }
    }

    private static JsonNode normalised(JsonNode answer) {
        JsonNode result = answer.path("data").path("result");
        if (answer.path("data").path("resultType").asText().equals("vector")) {
            List<JsonNode> items = new ArrayList<>();
            result.forEach(items::add);
            items.sort(Comparator.comparing(n -> n.path("metric").toString()));
            ArrayNode sorted = JSON.createArrayNode();
            items.forEach(sorted::add);
            ((com.fasterxml.jackson.databind.node.ObjectNode) answer.path("data")).set("result", sorted);
        }
        return answer;
    }

    private static JsonNode answer(ServiceProcess querier, String path) throws IOException {
        var response = ServiceProcess.get(querier.url() + path);
        assertThat(response.statusCode()).as(querier + path + " → " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
