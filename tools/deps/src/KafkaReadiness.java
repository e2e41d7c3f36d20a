import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Readiness probe for a local broker, run by scripts/deps.sh as a single-file program:
 * {@code java -cp '.gauntlet/deps/kafka/*' KafkaReadiness.java 127.0.0.1:9092 60 [client.properties]} (the optional
 * file holds the client's security settings for a SASL_SSL broker).
 * Exits 0 once a metadata request (describe cluster + list topics) succeeds, 1 at the deadline.
 */
public final class KafkaReadiness {
    public static void main(String[] args) throws InterruptedException, IOException {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: KafkaReadiness <bootstrap> <timeout-seconds> [client.properties]");
            System.exit(2);
        }
        String bootstrap = args[0];
        Instant deadline = Instant.now().plusSeconds(Long.parseLong(args[1]));
        Map<String, Object> config = new HashMap<>();
        if (args.length == 3) {
            Properties security = new Properties();
            try (Reader reader = Files.newBufferedReader(Path.of(args[2]))) {
                security.load(reader);
            }
            security.forEach((key, value) -> config.put(key.toString(), value));
        }
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
        String lastError = "no attempt";
        try (Admin admin = Admin.create(config)) {
            while (Instant.now().isBefore(deadline)) {
                try {
                    int brokers = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    if (brokers > 0) {
                        System.out.println("kafka at " + bootstrap + " is ready (" + brokers + " broker)");
                        return;
                    }
                    lastError = "cluster has no broker yet";
                } catch (Exception e) {
                    lastError = String.valueOf(e.getCause() != null ? e.getCause() : e);
                }
                Thread.sleep(Duration.ofMillis(250)); // a probe loop in a script, not a test wait
            }
        }
        System.err.println("kafka at " + bootstrap + " not ready before the deadline: " + lastError);
        System.exit(1);
    }
}
