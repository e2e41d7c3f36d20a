package io.gauntlet.tools.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventDeserializer;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as an operator runs it: flags, output, exit codes, and the Kafka event of a write. */
class GauntletToolsTest {
    @TempDir
    Path dir;
    private String objstore;
    private BlockMeta block;

    record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = GauntletTools.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void bucketWithOneBlock() throws Exception {
        Path bucket = Files.createDirectories(dir.resolve("bucket"));
        objstore = "type: FILESYSTEM\nconfig:\n  directory: " + bucket;
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "sidecar"));
        try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), 0, 7_200_000, options)) {
            writer.addSeries(Labels.of("__name__", "up", "job", "a"), new long[] {0, 60_000}, new double[] {1, 2}, 2);
            block = writer.commit();
        }
        io.gauntlet.compact.BlockTransfer.upload(io.gauntlet.objstore.BucketFactory.fromYaml(objstore),
                dir.resolve("local").resolve(block.ulid().toString()), block.ulid());
    }

    @Test
    void everyCommandHasHelpAndBadUsageExitsTwoWithAMessage() {
        for (String command : List.of("ls", "inspect", "verify", "mark", "retention", "cleanup", "replicate", "upload-blocks", "downsample", "rewrite", "web")) {
            Run help = run("bucket", command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).contains("Usage: gauntlet tools bucket " + command);
        }
        Run missing = run("bucket", "ls");
        assertThat(missing.code()).isEqualTo(GauntletTools.USAGE);
        assertThat(missing.err()).isEqualTo("gauntlet tools: exactly one of --objstore.config-file and --objstore.config is required\n");
        assertThat(run("bucket", "mark", "--objstore.config", objstore, "--id", "nope", "--marker", "deletion-mark.json", "--details", "x")
                .err()).contains("--id nope is not a ULID");
        assertThat(run("bucket", "nonsense").code()).isEqualTo(GauntletTools.USAGE);
        Run unknownBlock = run("bucket", "mark", "--objstore.config", objstore, "--id", "01HQ0000000000000000000000", "--marker",
                "no-compact-mark.json", "--details", "x");
        assertThat(unknownBlock.code()).isEqualTo(GauntletTools.FAILED);
        assertThat(unknownBlock.err()).startsWith("gauntlet tools: block 01HQ0000000000000000000000 not found");
    }

    @Test
    void lsInspectAndVerifyPrintWhatAScriptReads() {
        assertThat(run("bucket", "ls", "--objstore.config", objstore)).isEqualTo(new Run(0, block.ulid() + "\n", ""));
        assertThat(run("bucket", "ls", "--objstore.config", objstore, "-o", "wide").out())
                .isEqualTo(block.ulid() + " -- 1970-01-01T00:00:00Z - 1970-01-01T02:00:00Z Diff: 2h0m0s, Compaction: 1, Downsample: 0, Source: sidecar\n");
        assertThat(run("bucket", "ls", "--objstore.config", objstore, "-l", "cluster=\"us-1\"").out()).isEmpty();
        assertThat(run("bucket", "inspect", "--objstore.config", objstore).out()).contains("ULID", block.ulid().toString(), "{cluster=\"eu-1\"}");

        Run clean = run("bucket", "verify", "--objstore.config", objstore);
        assertThat(clean).isEqualTo(new Run(0, "", "no issues\n"));
        io.gauntlet.objstore.BucketFactory.fromYaml(objstore).delete(block.ulid() + "/index");
        Run broken = run("bucket", "verify", "--objstore.config", objstore);
        assertThat(broken.code()).isEqualTo(GauntletTools.ISSUES_FOUND);
        assertThat(broken.out()).isEqualTo("index_known_issues [" + block.ulid() + "]: missing index\n");
    }

    @Test
    void downsampleMakesTheFiveMinuteBlockOnceAndTheBucketStaysVerifyClean() throws Exception {
        long span = 48L * 3_600_000; // raw blocks are downsampled once they span 40h
        int samples = (int) (span / 60_000);
        long[] timestamps = new long[samples];
        double[] values = new double[samples];
        for (int i = 0; i < samples; i++) {
            timestamps[i] = 10_000_000L + i * 60_000L;
            values[i] = i;
        }
        BlockMeta raw;
        BlockWriter.Options options = BlockWriter.Options.defaults().withThanos(BlockMeta.Thanos.of(Map.of("cluster", "eu-1"), 0, "compactor"));
        try (BlockWriter writer = BlockWriter.create(dir.resolve("local"), 10_000_000L, 10_000_000L + span, options)) {
            writer.addSeries(Labels.of("__name__", "requests_total", "job", "a"), timestamps, values, samples);
            raw = writer.commit();
        }
        io.gauntlet.compact.BlockTransfer.upload(io.gauntlet.objstore.BucketFactory.fromYaml(objstore),
                dir.resolve("local").resolve(raw.ulid().toString()), raw.ulid());

        Run first = run("bucket", "downsample", "--objstore.config", objstore);

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).matches("[0-9A-Z]{26} downsampled to 300000 ms from 1 source blocks\n");
        assertThat(first.err()).isEqualTo("1 block made\n");
        String made = first.out().substring(0, 26);
        assertThat(run("bucket", "ls", "--objstore.config", objstore, "-o", "wide").out()).contains(made + " -- ", "Downsample: 300000, Source: compactor");
        assertThat(run("bucket", "downsample", "--objstore.config", objstore)).as("a rerun finds the block covered")
                .isEqualTo(new Run(0, "", "0 blocks made\n"));
        assertThat(run("bucket", "verify", "--objstore.config", objstore)).isEqualTo(new Run(0, "", "no issues\n"));
    }

    @Test
    void rewriteIsADryRunByDefaultAndWritesItsChangeLogBesideTheNewBlock() throws Exception {
        String deletion = "- matchers: '{job=\"a\"}'";

        Run dryRun = run("bucket", "rewrite", "--objstore.config", objstore, "--id", block.ulid().toString(), "--rewrite.to-delete-config", deletion);

        assertThat(dryRun).isEqualTo(new Run(0, "Deleted {__name__=\"up\", job=\"a\"} [{0 60000}]\n",
                block.ulid() + ": dry run, 1 series would be deleted and 0 kept\n"));
        assertThat(run("bucket", "ls", "--objstore.config", objstore).out()).isEqualTo(block.ulid() + "\n");

        Path tmp = dir.resolve("rewrite-tmp");
        Run relabel = run("bucket", "rewrite", "--objstore.config", objstore, "--id", block.ulid().toString(), "--no-dry-run", "--tmp.dir",
                tmp.toString(), "--rewrite.to-relabel-config", "- {source_labels: [job], target_label: job, replacement: b}",
                "--rewrite.to-delete-config", "- {matchers: '{job=\"b\"}', intervals: [{mint: 0, maxt: 0}]}");
        assertThat(relabel.code()).as(relabel.err()).isZero();
        String changes = "Relabelled {__name__=\"up\", job=\"a\"} {__name__=\"up\", job=\"b\"}\nDeleted {__name__=\"up\", job=\"b\"} [{0 0}]\n";
        assertThat(relabel.out()).isEqualTo(changes);
        String target = run("bucket", "ls", "--objstore.config", objstore).out().lines().filter(id -> !id.equals(block.ulid().toString()))
                .findFirst().orElseThrow();
        assertThat(relabel.err()).contains(block.ulid() + " rewritten into " + target + ": 0 series deleted, 1 kept, 1 relabelled",
                "change log: " + tmp.resolve(target).resolve("change.log"));
        assertThat(Files.readString(tmp.resolve(target).resolve("change.log"))).isEqualTo(changes);
        assertThat(Files.list(tmp).map(path -> path.getFileName().toString()).toList()).as("only the change log is kept").containsExactly(target);

        Run nothing = run("bucket", "rewrite", "--objstore.config", objstore, "--id", block.ulid().toString());
        assertThat(nothing.code()).isEqualTo(GauntletTools.USAGE);
        assertThat(nothing.err()).contains("nothing to rewrite");
        Run badInterval = run("bucket", "rewrite", "--objstore.config", objstore, "--id", block.ulid().toString(), "--rewrite.to-delete-config",
                deletion + "\n  intervals: [{mint: 10, maxt: 0}]");
        assertThat(badInterval.code()).isEqualTo(GauntletTools.USAGE);
        assertThat(badInterval.err()).contains("interval maxt 0 is before its mint 10");
    }

    @Test
    void webServesThePageAndThanosBlocksApiOverTheBucket() throws Exception {
        assertThat(run("bucket", "mark", "--objstore.config", objstore, "--id", block.ulid().toString(), "--marker", "no-downsample-mark.json",
                "--details", "keep raw").code()).isZero();
        StringWriter err = new StringWriter();
        CommandLine commandLine = GauntletTools.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        WebCommand web = commandLine.getSubcommands().get("bucket").getSubcommands().get("web").getCommand();
        Thread serving = Thread.ofVirtual().start(() -> commandLine.execute("bucket", "web", "--objstore.config", objstore, "--http-address",
                "127.0.0.1:0", "--label", "cluster"));
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> web.web != null || !serving.isAlive());
            assertThat(web.web).as(err.toString()).isNotNull();
            String base = "http://127.0.0.1:" + web.web.address().getPort();
            assertThat(err.toString()).contains("on " + base + "/ (JSON: /api/v1/blocks)");
            try (HttpClient http = HttpClient.newHttpClient()) {
                HttpResponse<String> blocks = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blocks")).build(), BodyHandlers.ofString());
                assertThat(blocks.statusCode()).isEqualTo(200);
                JsonNode body = new ObjectMapper().readTree(blocks.body());
                assertThat(body.path("status").asText()).isEqualTo("success");
                JsonNode data = body.path("data");
                assertThat(data.path("label").asText()).isEqualTo("cluster");
                assertThat(data.path("err").isNull()).isTrue();
                assertThat(data.path("blocks")).singleElement().satisfies(meta -> {
                    assertThat(meta.path("ulid").asText()).isEqualTo(block.ulid().toString());
                    assertThat(meta.path("minTime").asLong()).isZero();
                    assertThat(meta.path("maxTime").asLong()).isEqualTo(7_200_000);
                    assertThat(meta.path("compaction").path("level").asInt()).isEqualTo(1);
                    assertThat(meta.path("thanos").path("labels").path("cluster").asText()).isEqualTo("eu-1");
                    assertThat(meta.path("thanos").path("downsample").path("resolution").asLong()).isZero();
                });
                JsonNode info = data.path("blockInfo").path(block.ulid().toString());
                assertThat(info.path("marks")).extracting(JsonNode::asText).containsExactly("no-downsample-mark.json");
                Path stored = dir.resolve("bucket").resolve(block.ulid().toString());
                long size = Files.size(stored.resolve("index"));
                try (var chunks = Files.list(stored.resolve("chunks"))) {
                    size += chunks.mapToLong(path -> path.toFile().length()).sum();
                }
                assertThat(info.path("sizeBytes").asLong()).as("index and chunks").isEqualTo(size);

                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(), BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
                assertThat(page.body()).contains("fetch(\"api/v1/blocks\")");
                HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(), BodyHandlers.ofString());
                assertThat(missing.statusCode()).isEqualTo(404);
                assertThat(new ObjectMapper().readTree(missing.body()).path("errorType").asText()).isEqualTo("not_found");
            }
        } finally {
            web.stop.countDown();
            serving.join(Duration.ofSeconds(30));
        }
        assertThat(serving.isAlive()).isFalse();
        Run badAddress = run("bucket", "web", "--objstore.config", objstore, "--http-address", "localhost");
        assertThat(badAddress.code()).isEqualTo(GauntletTools.USAGE);
        assertThat(badAddress.err()).contains("--http-address localhost is not HOST:PORT");
    }

    @Test
    void markPublishesItsBlockEventToKafka() {
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("tools-mark", 1);

        Run marked = run("bucket", "mark", "--objstore.config", objstore, "--kafka.bootstrap-servers", kafka.bootstrapServers(), "--kafka.topic",
                topic, "--id", block.ulid().toString(), "--marker", "deletion-mark.json", "--details", "bad data");
        assertThat(marked).isEqualTo(new Run(0, block.ulid() + " marked with deletion-mark.json\n", ""));
        assertThat(run("bucket", "ls", "--objstore.config", objstore, "--exclude-delete").out()).isEmpty();

        Map<String, Object> config = new HashMap<>(kafka.clientConfig());
        config.put("group.id", "tools-test-" + topic);
        config.put("auto.offset.reset", "earliest");
        List<BlockEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, BlockEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new BlockEventDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(record -> events.add(record.value()));
                return !events.isEmpty();
            });
        }
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(BlockEventType.MARKED_FOR_DELETION);
            assertThat(event.ulid()).isEqualTo(block.ulid().toString());
            assertThat(event.producer()).isEqualTo("gauntlet/tools");
        });
    }
}
