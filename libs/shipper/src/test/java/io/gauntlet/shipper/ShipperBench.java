package io.gauntlet.shipper;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shipper's bench command (no assertions, figures printed):
 * {@code mvn -f libs/shipper/pom.xml test -Dtest=ShipperBench -Dgauntlet.bench=true}.
 * (1) upload throughput of BlockShipper against a plain AWS SDK putObject of the same files, alternating rounds on the
 * same s3proxy; (2) latency from a block's rename into the TSDB directory to its event being consumed from Kafka.
 */
class ShipperBench {
    private static final int ROUNDS = 5;

    @TempDir
    Path work;

    @Test
    void uploadThroughputAndEventLatency() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("gauntlet.bench"), "bench: run with -Dgauntlet.bench=true");
        Path made = Files.createDirectories(work.resolve("made"));
        List<Path> blocks = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            blocks.add(TsdbBlocks.randomBlock(made, TsdbBlocks.START + i * TsdbBlocks.BLOCK, 300, 512L * 1024 * 1024));
        }
        long bytes = 0;
        List<Path> files = new ArrayList<>();
        for (Path block : blocks) {
            try (Stream<Path> paths = Files.walk(block)) {
                for (Path file : paths.filter(Files::isRegularFile).sorted().toList()) {
                    files.add(file);
                    bytes += Files.size(file);
                }
            }
        }
        S3ProxyFixture s3 = S3ProxyFixture.shared();
        double[] sdk = new double[ROUNDS];
        double[] shipper = new double[ROUNDS];
        try (S3Client client = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build()) {
            for (int round = -1; round < ROUNDS; round++) { // round -1 warms both paths up
                S3Config plain = s3.newBucket("bench-sdk");
                long start = System.nanoTime();
                for (Path file : files) {
                    String key = made.relativize(file).toString();
                    client.putObject(put -> put.bucket(plain.bucket()).key(key), RequestBody.fromFile(file));
                }
                double sdkSeconds = (System.nanoTime() - start) / 1e9;

                Path tsdb = Files.createDirectories(work.resolve("tsdb-" + (round + 1)));
                for (Path block : blocks) {
                    TsdbBlocks.copyTree(block, tsdb.resolve(block.getFileName().toString()));
                }
                try (Bucket bucket = BucketFactory.create(BucketConfig.s3(s3.newBucket("bench-shipper")))) {
                    BlockShipper blockShipper = new BlockShipper(tsdb, bucket, Map.of("cluster", "bench"), "sidecar", "gauntlet/bench", null,
                            new ShipperMetrics(new SimpleMeterRegistry()), null);
                    start = System.nanoTime();
                    blockShipper.sync();
                    double shipperSeconds = (System.nanoTime() - start) / 1e9;
                    if (round >= 0) {
                        sdk[round] = bytes / 1e6 / sdkSeconds;
                        shipper[round] = bytes / 1e6 / shipperSeconds;
                    }
                }
                TsdbBlocks.deleteTree(tsdb);
            }
        }
        double[] paired = new double[ROUNDS]; // each round's shipper/SDK ratio: both ran back to back under the same load
        for (int i = 0; i < ROUNDS; i++) {
            paired[i] = shipper[i] / sdk[i];
        }
        Arrays.sort(paired);
        System.out.printf("BENCH upload paired ratios (shipper/SDK per round) %s, median %.2f%n", Arrays.toString(paired), paired[ROUNDS / 2]);
        Arrays.sort(sdk);
        Arrays.sort(shipper);
        System.out.printf("BENCH upload: %d files, %.1f MB; plain SDK put median %.1f MB/s (rounds %s); shipper median %.1f MB/s (rounds %s); ratio %.2f%n",
                files.size(), bytes / 1e6, sdk[ROUNDS / 2], Arrays.toString(sdk), shipper[ROUNDS / 2], Arrays.toString(shipper),
                shipper[ROUNDS / 2] / sdk[ROUNDS / 2]);

        // latency: rename into the TSDB directory → event consumed (rescan far away, so only the watch can be this quick)
        KafkaFixture kafka = KafkaFixture.shared();
        String topic = kafka.createTopic("shipper-bench", 1);
        Path tsdb = Files.createDirectories(work.resolve("tsdb-latency"));
        List<Path> small = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            small.add(TsdbBlocks.randomBlock(made, TsdbBlocks.START + (10 + i) * TsdbBlocks.BLOCK, 40, 512L * 1024 * 1024));
        }
        ShipperOptions options = ShipperOptions.of(tsdb, BucketConfig.s3(s3.newBucket("bench-latency")), Map.of("cluster", "bench"))
                .withKafka(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic)
                .withIntervals(Duration.ofMinutes(10), Duration.ofMillis(200), Duration.ofSeconds(1));
        long[] latencies = new long[small.size()];
        long blockBytes = 0;
        try (Shipper running = Shipper.start(options, new SimpleMeterRegistry());
             KafkaConsumer<String, BlockEvent> consumer = BucketBlocks.consumer(kafka.bootstrapServers(), topic)) {
            consumer.poll(Duration.ofSeconds(2)); // join the group before the clock starts
            for (int i = 0; i < small.size(); i++) {
                try (Stream<Path> paths = Files.walk(small.get(i))) {
                    blockBytes = paths.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
                }
                String name = small.get(i).getFileName().toString();
                Path temporary = tsdb.resolve(name + ".tmp-for-creation");
                TsdbBlocks.copyTree(small.get(i), temporary);
                long start = System.nanoTime();
                Files.move(temporary, tsdb.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                List<ConsumerRecord<String, BlockEvent>> records = new ArrayList<>();
                while (records.isEmpty()) {
                    consumer.poll(Duration.ofMillis(5)).forEach(records::add);
                }
                latencies[i] = (System.nanoTime() - start) / 1_000_000;
            }
        }
        long[] sorted = latencies.clone();
        Arrays.sort(sorted);
        System.out.printf("BENCH latency: block of %.2f MB renamed into the TSDB dir → event consumed: median %d ms (all %s)%n",
                blockBytes / 1e6, sorted[sorted.length / 2], Arrays.toString(latencies));
    }
}
