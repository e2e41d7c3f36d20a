package io.gauntlet.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.events.KafkaClientProperties;
import io.gauntlet.events.SecureKafkaFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shipper and store gateway, as their fast-jars, against a Kafka 4.1 broker that only speaks SASL_SSL with
 * SCRAM-SHA-512, configured the way a Kubernetes pod is: {@code GAUNTLET_KAFKA_*} environment variables, the JAAS
 * line from a mounted file, the broker's CA as a PEM truststore. The shipper's block event makes the store gateway
 * (whose periodic sync is an hour away) serve the block; a shipper with a wrong password still uploads, and says that
 * Kafka refused its credentials; no log line of any of them shows a password.
 */
class SecureKafkaEventsTest {
    private static final String OPEN_METRICS = """
            # TYPE gauntlet_secure_events gauge
            gauntlet_secure_events{job="a"} 1 1700000000
            gauntlet_secure_events{job="a"} 2 1700000060
            gauntlet_secure_events{job="a"} 3 1700000120
            # EOF
            """;

    private static SecureKafkaFixture kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void startBroker() {
        kafka = SecureKafkaFixture.start("shipper", "store-gateway");
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** The variables a pod gets from the gauntlet-kafka-client ConfigMap, the JAAS line in a 0600 file. */
    private Map<String, String> kafkaEnvironment(String user, String password) throws IOException {
        Path jaas = Files.writeString(work.resolve(user + "-" + Integer.toHexString(password.hashCode()) + ".jaas"),
                SecureKafkaFixture.jaasConfig(user, password) + "\n");
        Files.setPosixFilePermissions(jaas, PosixFilePermissions.fromString("rw-------"));
        return Map.of(
                "GAUNTLET_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "GAUNTLET_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "GAUNTLET_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "GAUNTLET_KAFKA_SASL_JAAS_CONFIG_FILE", jaas.toString(),
                "GAUNTLET_KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "GAUNTLET_KAFKA_SSL_TRUSTSTORE_LOCATION", kafka.caCertificate().toString());
    }

    private String createTopic() {
        String topic = "secure-blocks-" + Long.toHexString(System.nanoTime());
        Map<String, String> config = Map.of("gauntlet.kafka.bootstrap.servers", kafka.bootstrapServers(),
                "gauntlet.kafka.security.protocol", "SASL_SSL", "gauntlet.kafka.sasl.mechanism", "SCRAM-SHA-512",
                "gauntlet.kafka.sasl.jaas.config", SecureKafkaFixture.jaasConfig("shipper", kafka.password("shipper")),
                "gauntlet.kafka.ssl.truststore.type", "PEM", "gauntlet.kafka.ssl.truststore.location", kafka.caCertificate().toString());
        KafkaClientProperties properties = KafkaClientProperties.fromConfig(config.keySet(), name -> Optional.ofNullable(config.get(name)));
        try (Admin admin = Admin.create(properties.clientConfig(Optional.empty()).orElseThrow())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create " + topic, e);
        }
        return topic;
    }

    @Test
    void theShippersEventMakesTheGatewayServeTheBlockAndAWrongPasswordIsRefused() throws Exception {
        String topic = createTopic();
        Path bucket = Files.createDirectories(work.resolve("bucket"));
        Path objstore = Files.writeString(work.resolve("objstore.yml"), "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n");
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        ServiceProcess.createBlocks(work, OPEN_METRICS, tsdb);

        try (ServiceProcess.Group processes = new ServiceProcess.Group()) {
            int gatewayPort = ServiceProcess.freePort();
            ServiceProcess gateway = processes.add(ServiceProcess.startService("store-gateway", "store-gateway", work, gatewayPort, List.of(
                    "-Dgauntlet.store-gateway.objstore-config-file=" + objstore,
                    "-Dgauntlet.store-gateway.data-dir=" + work.resolve("gateway-data"),
                    "-Dgauntlet.store-gateway.events-topic=" + topic,
                    "-Dgauntlet.store-gateway.sync-interval=1h",
                    "-Dgauntlet.grpc.address=127.0.0.1:" + ServiceProcess.freePort()),
                    kafkaEnvironment("store-gateway", kafka.password("store-gateway"))));
            // it consumes from the latest offset: ship only once its partition is assigned
            awaitOrShowLog("the store gateway's consumer has its partition", gateway,
                    () -> gateway.logText().contains("Adding newly assigned partitions: [" + topic + "-0]"));
            assertThat(metric(gatewayPort, "thanos_bucket_store_blocks_loaded")).isZero();

            processes.add(ServiceProcess.startService("shipper", "shipper", work, ServiceProcess.freePort(), List.of(
                    "-Dgauntlet.shipper.tsdb-path=" + tsdb,
                    "-Dgauntlet.shipper.objstore-config-file=" + objstore,
                    "-Dgauntlet.shipper.external-labels=cluster=slave-1,prometheus_replica=a",
                    "-Dgauntlet.shipper.kafka.topic=" + topic,
                    "-Dgauntlet.shipper.outbox-dir=" + work.resolve("outbox")),
                    kafkaEnvironment("shipper", kafka.password("shipper"))));
            awaitOrShowLog("the store gateway serves the shipped block after its event", gateway,
                    () -> metric(gatewayPort, "gauntlet_store_gateway_block_events_applied_total") >= 1
                            && metric(gatewayPort, "thanos_bucket_store_blocks_loaded") == 1);

            Path otherWork = Files.createDirectories(work.resolve("wrong-password"));
            Path otherTsdb = Files.createDirectories(otherWork.resolve("tsdb"));
            ServiceProcess.createBlocks(otherWork, OPEN_METRICS, otherTsdb);
            ServiceProcess refused = processes.add(ServiceProcess.startService("shipper", "shipper-wrong-password", otherWork, ServiceProcess.freePort(),
                    List.of("-Dgauntlet.shipper.tsdb-path=" + otherTsdb,
                            "-Dgauntlet.shipper.objstore-config-file=" + objstore,
                            "-Dgauntlet.shipper.external-labels=cluster=slave-2,prometheus_replica=a",
                            "-Dgauntlet.shipper.kafka.topic=" + topic,
                            "-Dgauntlet.shipper.kafka.delivery-timeout=10s",
                            "-Dgauntlet.shipper.outbox-dir=" + otherWork.resolve("outbox")),
                    kafkaEnvironment("shipper", "not-the-password")));
            awaitOrShowLog("the refused shipper says why", refused, () -> refused.logText().contains("Kafka refused the SASL credentials"));
            assertThat(refused.logText()).contains("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");

            for (ServiceProcess process : List.of(gateway, refused)) {
                assertThat(process.logText()).as("%s's log", process)
                        .doesNotContain(kafka.password("shipper"), kafka.password("store-gateway"), "not-the-password", "ScramLoginModule");
            }
            assertThat(Files.readString(work.resolve("shipper.log"))).doesNotContain(kafka.password("shipper"), "ScramLoginModule");
        }
    }

    /** Waits up to two minutes (a loaded machine); a timeout shows the process's last log lines. */
    private static void awaitOrShowLog(String what, ServiceProcess process, Callable<Boolean> condition) {
        try {
            await(what).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).until(condition);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + ": not within 2 minutes; last lines of " + process + "'s log:\n" + process.logTail(), e);
        }
    }

    private static double metric(int httpPort, String name) throws IOException {
        String text = ServiceProcess.get("http://127.0.0.1:" + httpPort + "/metrics").body();
        Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        double sum = 0;
        while (matcher.find()) {
            sum += Double.parseDouble(matcher.group(1));
        }
        return sum;
    }
}
