package io.gauntlet.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.gauntlet.tsdb.Labels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Block events through a real Kafka 4.1 broker that only speaks SASL_SSL with SCRAM-SHA-512, with the clients configured
 * the way the services are: {@code gauntlet.kafka.*} properties, the JAAS line read from a file (a mounted Secret), the
 * broker's CA as a PEM truststore. The right password ships and consumes; a wrong one is refused and says so; no log
 * line (Kafka's own config dump at INFO included) shows a password.
 */
class KafkaSaslSslTest {
    private static SecureKafkaFixture kafka;

    private final List<String> logLines = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = ExtLogRecord.wrap(record).getFormattedMessage();
            synchronized (logLines) {
                logLines.add(message + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Level kafkaLevel;

    @BeforeAll
    static void startBroker() {
        kafka = SecureKafkaFixture.start("shipper");
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @BeforeEach
    void captureLogs() {
        Logger kafkaLogger = Logger.getLogger("org.apache.kafka");
        kafkaLevel = kafkaLogger.getLevel();
        kafkaLogger.setLevel(Level.INFO); // Kafka's "ProducerConfig values:" dumps are INFO: captured, not printed
        kafkaLogger.setUseParentHandlers(false);
        kafkaLogger.addHandler(capture);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger kafkaLogger = Logger.getLogger("org.apache.kafka");
        Logger.getLogger("").removeHandler(capture);
        kafkaLogger.removeHandler(capture);
        kafkaLogger.setUseParentHandlers(true);
        kafkaLogger.setLevel(kafkaLevel);
    }

    /** The services' configuration: everything under gauntlet.kafka.*, the JAAS line from a file. */
    private static KafkaClientProperties clientProperties(String user, String password) {
        Path secret = kafka.writeFile(user + "-" + password.hashCode() + ".jaas", SecureKafkaFixture.jaasConfig(user, password) + "\n");
        Map<String, String> config = Map.of(
                "gauntlet.kafka.bootstrap.servers", kafka.bootstrapServers(),
                "gauntlet.kafka.security.protocol", "SASL_SSL",
                "gauntlet.kafka.sasl.mechanism", "SCRAM-SHA-512",
                "GAUNTLET_KAFKA_SASL_JAAS_CONFIG_FILE", "(environment form, looked up by its property name)",
                "gauntlet.kafka.sasl.jaas.config-file", secret.toString(),
                "gauntlet.kafka.ssl.truststore.type", "PEM",
                "gauntlet.kafka.ssl.truststore.location", kafka.caCertificate().toString());
        return KafkaClientProperties.fromConfig(config.keySet(), name -> Optional.ofNullable(config.get(name)));
    }

    private static Map<String, Object> client(KafkaClientProperties properties, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(properties.clientConfig(Optional.empty()).orElseThrow());
        config.putAll(extra);
        return config;
    }

    @Test
    void theRightPasswordShipsAndConsumesEvents() throws Exception {
        KafkaClientProperties properties = clientProperties("shipper", kafka.password("shipper"));
        String topic = "secure-blocks";
        try (Admin admin = Admin.create(client(properties, Map.of()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        BlockEvent event = BlockEvent.of(BlockEventType.UPLOADED, "01HQ3Z5X8K9M2N4P6R7S8T0001", 0, 7_200_000L,
                Labels.of("cluster", "slave-1", "prometheus_replica", "0"), 0, 1, List.of("01HQ3Z5X8K9M2N4P6R7S8T0001"),
                new BlockStats(120, 1, 1), "gauntlet/test");
        try (BlockEventPublisher publisher = BlockEventPublisher.create(client(properties, Map.of()), topic)) {
            publisher.publish(event).get(60, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, BlockEvent>> received = new ArrayList<>();
        try (BlockEventConsumer consumer = BlockEventConsumer.create(client(properties,
                Map.of("group.id", "secure-test", "auto.offset.reset", "earliest")))) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                received.addAll(consumer.poll(Duration.ofMillis(200)));
                return !received.isEmpty();
            });
        }
        assertThat(received).extracting(ConsumerRecord::value).containsExactly(event);
        assertNoSecretLogged();
    }

    @Test
    void aWrongPasswordIsRefusedAndSaysSo() {
        KafkaClientProperties properties = clientProperties("shipper", "not-the-password");
        Map<String, Object> quick = Map.of("max.block.ms", 20_000, "delivery.timeout.ms", 20_000, "request.timeout.ms", 10_000);
        try (BlockEventPublisher publisher = BlockEventPublisher.create(client(properties, quick), "secure-blocks")) {
            BlockEvent event = BlockEvent.of(BlockEventType.DELETED, "01HQ3Z5X8K9M2N4P6R7S8T0002", 0, 7_200_000L,
                    Labels.of("cluster", "slave-1"), 0, 1, List.of(), new BlockStats(0, 0, 0), "gauntlet/test");
            assertThatThrownBy(() -> publisher.publish(event).get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .satisfies(error -> assertThat(KafkaErrorMessages.describe(error))
                            .startsWith("Kafka refused the SASL credentials")
                            .contains("invalid credentials", "SCRAM-SHA-512"));
        }
        try (BlockEventConsumer consumer = BlockEventConsumer.create(client(properties, Map.of("group.id", "refused")))) {
            consumer.subscribe(List.of("secure-blocks"));
            Throwable refused = catchThrowable(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)); // throws once the broker has refused the login
                }
            });
            assertThat(refused).as("the consumer was refused within 60 s").isNotNull();
            assertThat(KafkaErrorMessages.describe(refused)).startsWith("Kafka refused the SASL credentials");
        }
        assertNoSecretLogged();
    }

    private void assertNoSecretLogged() {
        synchronized (logLines) {
            assertThat(logLines).as("Kafka's config dump was captured").anyMatch(line -> line.contains("sasl.jaas.config = [hidden]"));
            assertThat(logLines).noneMatch(line -> line.contains(kafka.password("shipper")) || line.contains("not-the-password")
                    || line.contains("ScramLoginModule"));
        }
    }
}
