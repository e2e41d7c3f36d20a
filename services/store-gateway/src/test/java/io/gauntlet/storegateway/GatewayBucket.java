package io.gauntlet.storegateway;

import io.gauntlet.bucketstore.BlockFixtures;
import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.testing.OpenMetricsGenerator;
import io.gauntlet.tsdb.testing.Promtool;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A fresh s3proxy bucket for the gateway: promtool-made blocks of 4h of node/web metrics ({@code cluster="eu"}), one
 * block whose index is damaged, and a Kafka topic for block events. {@code args} "kafka=false" leaves Kafka out and
 * makes the periodic sync short.
 */
public class GatewayBucket implements QuarkusTestResourceLifecycleManager {
    static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;
    static final Map<String, String> EXTERNAL = Map.of("cluster", "eu", "replica", "a");

    static Path work;
    static Path promtoolBlocks;
    static S3Config s3;
    static Bucket bucket;
    static String topic;
    static String corruptedBlock;
    private boolean kafka = true;

    @Override
    public void init(Map<String, String> initArgs) {
        kafka = !"false".equals(initArgs.get("kafka"));
    }

    @Override
    public Map<String, String> start() {
        try {
            work = Files.createTempDirectory("store-gateway-test");
            s3 = S3ProxyFixture.shared().newBucket("store-gateway");
            bucket = BucketFactory.create(BucketConfig.s3(s3));
            Path input = work.resolve("input.om");
            new OpenMetricsGenerator(3, 32, 8, 2, START, 4 * 3_600_000L, 15_000).write(input);
            promtoolBlocks = work.resolve("blocks");
            for (Path block : Promtool.require().createBlocksFromOpenMetrics(input, promtoolBlocks)) {
                BlockFixtures.upload(bucket, block, EXTERNAL, 0);
            }
            corruptedBlock = uploadCorrupted();
            Path objstore = work.resolve("objstore.yml");
            Files.writeString(objstore, "type: S3\nconfig:\n  bucket: " + s3.bucket() + "\n  endpoint: " + s3.endpoint().replaceFirst("^https?://", "")
                    + "\n  access_key: " + s3.accessKey() + "\n  secret_key: " + s3.secretKey() + "\n  insecure: true\n  bucket_lookup_type: path\n");
            Map<String, String> config = new HashMap<>();
            config.put("gauntlet.store-gateway.objstore-config-file", objstore.toString());
            config.put("gauntlet.store-gateway.data-dir", work.resolve("data").toString());
            if (kafka) {
                topic = KafkaFixture.shared().createTopic("store-gateway-blocks", 1);
                config.put("gauntlet.store-gateway.kafka-bootstrap", KafkaFixture.shared().bootstrapServers());
                config.put("gauntlet.store-gateway.events-topic", topic);
                config.put("gauntlet.store-gateway.sync-interval", "1h"); // only the events can be fast
            } else {
                config.put("gauntlet.store-gateway.sync-interval", "2s");
            }
            return config;
        } catch (IOException | io.gauntlet.tsdb.storage.StorageException e) {
            throw new IllegalStateException("cannot prepare the gateway's bucket: " + e, e);
        }
    }

    /** A Gauntlet-written block whose index has garbage in its table of contents. */
    private static String uploadCorrupted() throws IOException, io.gauntlet.tsdb.storage.StorageException {
        Path dir = writeBlock(work.resolve("corrupted"), "corrupted_metric", 5);
        Path index = dir.resolve("index");
        byte[] bytes = Files.readAllBytes(index);
        for (int i = bytes.length - 52; i < bytes.length - 10; i++) {
            bytes[i] = (byte) 0x5A;
        }
        Files.write(index, bytes);
        BlockMeta meta = BlockFixtures.upload(bucket, dir, Map.of("cluster", "broken"), 0);
        return meta.ulid().toString();
    }

    /** Writes a small Gauntlet block of {@code count} series named {@code metric} in the first 2h; returns its directory. */
    static Path writeBlock(Path parent, String metric, int count) throws IOException {
        Files.createDirectories(parent);
        try (BlockWriter writer = BlockWriter.create(parent, START, START + 7_200_000L)) {
            for (int i = 0; i < count; i++) {
                long[] ts = new long[240];
                double[] values = new double[240];
                for (int s = 0; s < ts.length; s++) {
                    ts[s] = START + s * 30_000L;
                    values[s] = i * 1000 + s;
                }
                writer.addSeries(Labels.of("__name__", metric, "series", String.format("%03d", i)), ts, values, ts.length);
            }
            writer.commit();
            return writer.directory();
        }
    }

    static List<Path> blockDirs() {
        try (var dirs = Files.list(promtoolBlocks)) {
            return dirs.filter(d -> Files.exists(d.resolve("meta.json"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (bucket != null) {
            bucket.close();
        }
    }
}
