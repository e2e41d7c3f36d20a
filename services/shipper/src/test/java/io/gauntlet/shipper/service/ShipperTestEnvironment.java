package io.gauntlet.shipper.service;

import io.gauntlet.events.KafkaFixture;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A TSDB directory, a fresh bucket on the shared s3proxy and a fresh topic on the shared Kafka for the service under test. */
public class ShipperTestEnvironment implements QuarkusTestResourceLifecycleManager {
    static Path tsdb;
    static S3Config bucket;
    static String topic;

    @Override
    public Map<String, String> start() {
        try {
            tsdb = Files.createTempDirectory("gauntlet-shipper-service-tsdb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        S3ProxyFixture s3 = S3ProxyFixture.shared();
        bucket = s3.newBucket("shipper-service");
        topic = KafkaFixture.shared().createTopic("shipper-service", 2);
        String objstore = "type: S3\nconfig:\n  bucket: " + bucket.bucket() + "\n  endpoint: " + s3.endpoint()
                + "\n  access_key: " + s3.accessKey() + "\n  secret_key: " + s3.secretKey() + "\n  insecure: true\n";
        return Map.of(
                "gauntlet.shipper.tsdb-path", tsdb.toString(),
                "gauntlet.shipper.objstore-config", objstore,
                "gauntlet.shipper.external-labels", "cluster=service, prometheus_replica=0",
                "gauntlet.shipper.kafka.bootstrap-servers", KafkaFixture.shared().bootstrapServers(),
                "gauntlet.shipper.kafka.topic", topic,
                "gauntlet.shipper.min-backoff", "200ms",
                "gauntlet.shipper.max-backoff", "2s");
    }

    @Override
    public void stop() {
        try {
            io.gauntlet.shipper.TsdbBlocks.deleteTree(tsdb);
        } catch (IOException ignored) {
            // a temp directory
        }
    }
}
