package io.gauntlet.events;

import io.gauntlet.objstore.DepsScript;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * A real Kafka 4.1 broker (KRaft, broker and controller in one process) on loopback for tests.
 *
 * <p>{@link #shared()} is the run-wide broker {@code ./gauntlet test} started when {@code GAUNTLET_TEST_KAFKA_BOOTSTRAP}
 * is set; otherwise one broker per JVM is started here with the repository's {@code scripts/deps.sh} (the jars come
 * from {@code .gauntlet/deps}, fetched when missing) and stopped when the JVM exits. A plain process rather than an
 * in-process test kit: the same broker, start-up and configuration as {@code ./gauntlet kafka start}, and no
 * broker or Scala jars on the test classpath. Each test takes its own topic from {@link #createTopic}.
 */
public final class KafkaFixture {
    private static KafkaFixture shared;

    private final String bootstrapServers;

    private KafkaFixture(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public static synchronized KafkaFixture shared() {
        if (shared == null) {
            String bootstrap = System.getenv("GAUNTLET_TEST_KAFKA_BOOTSTRAP");
            if (bootstrap != null && !bootstrap.isBlank()) {
                shared = new KafkaFixture(bootstrap);
            } else {
                shared = startForThisJvm();
            }
        }
        return shared;
    }

    private static KafkaFixture startForThisJvm() {
        try {
            Path directory = Files.createTempDirectory("gauntlet-kafka-");
            int port = DepsScript.freePort();
            DepsScript.run("deps_kafka_start", directory.toString(), Integer.toString(port));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                DepsScript.run("deps_kafka_stop", directory.toString());
                deleteRecursively(directory);
            }, "kafka-fixture-stop"));
            return new KafkaFixture("127.0.0.1:" + port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for Kafka", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Client config with the bootstrap servers and short timeouts, to add group ids and such to. */
    public Map<String, Object> clientConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /** Creates a topic with a unique name starting with {@code hint}. */
    public String createTopic(String hint, int partitions) {
        String topic = hint + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
        try (Admin admin = Admin.create(clientConfig())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + topic + " on " + bootstrapServers + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        }
        return topic;
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }
}
