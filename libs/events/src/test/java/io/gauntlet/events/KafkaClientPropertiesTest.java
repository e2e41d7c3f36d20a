package io.gauntlet.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.objstore.DepsScript;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gauntlet.kafka.*} → Kafka client properties: both configuration forms, secrets from files, nothing secret shown. */
class KafkaClientPropertiesTest {
    @TempDir
    Path directory;

    @Test
    void propertiesAndEnvironmentFormsBothMapToKafkaPropertiesAndFilesAreRead() throws IOException {
        Path jaas = Files.writeString(directory.resolve("sasl.jaas.config"), "ScramLoginModule required username=\"u\" password=\"s3cr3t\";\n");
        Path truststorePassword = Files.writeString(directory.resolve("truststore-password"), "tr0st\n");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("gauntlet.kafka.security.protocol", "SASL_SSL");
        config.put("gauntlet.kafka.sasl.mechanism", "SCRAM-SHA-512");
        config.put("gauntlet.kafka.sasl.jaas.config-file", jaas.toString()); // looked up in properties form
        config.put("GAUNTLET_KAFKA_SSL_TRUSTSTORE_PASSWORD_FILE", "-");
        config.put("gauntlet.kafka.ssl.truststore.password-file", truststorePassword.toString());
        config.put("GAUNTLET_KAFKA_SASL_OAUTHBEARER_ASSERTION_FILE", "-"); // a Kafka property that ends in .file
        config.put("gauntlet.kafka.sasl.oauthbearer.assertion.file", "/var/run/token");
        config.put("gauntlet.kafka.sasl.jaas.config.file", "-"); // how SmallRye also reports the environment name
        config.put("gauntlet.kafka.config.providers", "dir"); // not a client property Kafka lists: passed on as given
        config.put("GAUNTLET_KAFKA_PORT", "19092"); // the launcher's own variable: no Kafka client property
        config.put("gauntlet.shipper.kafka.bootstrap-servers", "elsewhere:9092");

        KafkaClientProperties properties = KafkaClientProperties.fromConfig(config.keySet(), name -> Optional.ofNullable(config.get(name)));

        assertThat(properties.values()).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"),
                Map.entry("sasl.mechanism", "SCRAM-SHA-512"),
                Map.entry("sasl.jaas.config", "ScramLoginModule required username=\"u\" password=\"s3cr3t\";"),
                Map.entry("ssl.truststore.password", "tr0st"),
                Map.entry("sasl.oauthbearer.assertion.file", "/var/run/token"),
                Map.entry("config.providers", "dir"));
        assertThat(properties.toString())
                .contains("security.protocol=SASL_SSL", "sasl.jaas.config=<from file " + jaas + ">", "ssl.truststore.password=<from file")
                .doesNotContain("s3cr3t", "tr0st");
    }

    @Test
    void environmentNamesAreTakenOnlyWhenTheySpellAKafkaProperty() {
        assertThat(KafkaClientProperties.environmentKey("SASL_JAAS_CONFIG_FILE")).contains("sasl.jaas.config-file");
        assertThat(KafkaClientProperties.environmentKey("BOOTSTRAP_SERVERS")).contains("bootstrap.servers");
        assertThat(KafkaClientProperties.environmentKey("SASL_OAUTHBEARER_ASSERTION_FILE")).contains("sasl.oauthbearer.assertion.file");
        assertThat(KafkaClientProperties.environmentKey("START_SECONDS")).isEmpty();
    }

    @Test
    void inlineSecretsAreHiddenAndTheServiceBootstrapWins() {
        KafkaClientProperties properties = KafkaClientProperties.of(Map.of(
                "bootstrap.servers", "shared:9093", "sasl.jaas.config", "x password=\"inline-pw\";", "ssl.keystore.password", "kspw"));

        assertThat(properties.toString()).contains("bootstrap.servers=shared:9093", "sasl.jaas.config=<hidden>", "ssl.keystore.password=<hidden>")
                .doesNotContain("inline-pw", "kspw");
        assertThat(properties.clientConfig(Optional.empty())).hasValueSatisfying(config ->
                assertThat(config).containsEntry("bootstrap.servers", "shared:9093"));
        assertThat(properties.clientConfig(Optional.of("own:9092"))).hasValueSatisfying(config ->
                assertThat(config).containsEntry("bootstrap.servers", "own:9092").containsEntry("ssl.keystore.password", "kspw"));
        assertThat(KafkaClientProperties.none().clientConfig(Optional.empty())).as("no broker named: no events").isEmpty();
        assertThat(KafkaClientProperties.none().clientConfig(Optional.of("own:9092"))).hasValueSatisfying(config ->
                assertThat(config).containsOnly(Map.entry("bootstrap.servers", "own:9092")));
    }

    @Test
    void theManifestCheckKnowsTheKafkaClientPropertiesOfTheKafkaClientInUse() throws IOException {
        // tools/k8s-validate checks GAUNTLET_KAFKA_* variables of the manifests against this list
        Path list = DepsScript.repositoryRoot().resolve("tools/k8s-validate/kafka-client-properties.txt");
        String expected = "# Kafka client properties (producer, consumer, admin) of the kafka-clients in use; checked by KafkaClientPropertiesTest\n"
                + String.join("\n", KafkaClientProperties.knownPropertyNames()) + "\n";
        if (Boolean.getBoolean("gauntlet.write-kafka-properties")) {
            Files.writeString(list, expected);
        }
        assertThat(Files.readString(list)).as("%s is stale: run this test with -Dgauntlet.write-kafka-properties=true", list)
                .isEqualTo(expected);
    }

    @Test
    void aMissingSecretFileOrAValueGivenTwiceIsAClearError() {
        Path missing = directory.resolve("absent");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("sasl.jaas.config-file", missing.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("gauntlet.kafka.sasl.jaas.config-file: cannot read " + missing + " (NoSuchFileException)");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("sasl.jaas.config-file", missing.toString(), "sasl.jaas.config", "x")))
                .hasMessage("set gauntlet.kafka.sasl.jaas.config or gauntlet.kafka.sasl.jaas.config-file, not both");
    }
}
