package io.gauntlet.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Kafka client properties every Gauntlet Kafka client shares, given under one prefix: {@code gauntlet.kafka.<property>}
 * is the Kafka client property {@code <property>} ({@code security.protocol}, {@code ssl.truststore.location},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, …). {@code gauntlet.kafka.<property>-file} reads the value from a
 * file (a mounted Secret), trailing line breaks dropped. No Kafka property contains a hyphen, so the suffix is never
 * ambiguous.
 *
 * <p>In the environment form ({@code GAUNTLET_KAFKA_SASL_JAAS_CONFIG_FILE}) dots and hyphens are both underscores, so
 * such a name is only taken when it spells a property the Kafka producer, consumer or admin client knows (or one of
 * those with {@code _FILE}); other {@code GAUNTLET_KAFKA_*} variables (the launcher's own) are left alone.
 *
 * <p>Values of secret properties (Kafka's {@code PASSWORD} type, and any value read from a file) never appear in
 * {@link #toString()} or errors; Kafka's own config dump prints them as {@code [hidden]}.
 */
public final class KafkaClientProperties {
    /** The configuration prefix in properties form. */
    public static final String PREFIX = "gauntlet.kafka.";
    /** Appended to a property name: the value is the content of the named file. */
    public static final String FILE_SUFFIX = "-file";

    private static final String ENV_PREFIX = "GAUNTLET_KAFKA_";
    private static final Set<String> KNOWN = knownProperties();
    private static final Set<String> PASSWORD_TYPED = passwordTypedProperties();
    private static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of(), Map.of());

    private final Map<String, String> values;
    private final Map<String, Path> files;

    private KafkaClientProperties(Map<String, String> values, Map<String, Path> files) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        this.files = Collections.unmodifiableMap(new TreeMap<>(files));
    }

    public static KafkaClientProperties none() {
        return NONE;
    }

    /**
     * Collects {@code gauntlet.kafka.*} from configuration.
     *
     * @param names  every configuration name (properties form, environment form, or both)
     * @param lookup the value of a name in properties form ({@code gauntlet.kafka.sasl.jaas.config-file}); a
     *               MicroProfile Config answers it from the environment form too
     */
    public static KafkaClientProperties fromConfig(Iterable<String> names, Function<String, Optional<String>> lookup) {
        Set<String> keys = new TreeSet<>();
        for (String name : names) {
            if (name.startsWith(PREFIX) && name.length() > PREFIX.length()) {
                keys.add(canonicalKey(name.substring(PREFIX.length())));
            } else if (name.startsWith(ENV_PREFIX)) {
                environmentKey(name.substring(ENV_PREFIX.length())).ifPresent(keys::add);
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String key : keys) {
            lookup.apply(PREFIX + key).ifPresent(value -> settings.put(key, value));
        }
        return of(settings);
    }

    /** From client properties without the prefix; {@code <property>-file} entries are read now. */
    public static KafkaClientProperties of(Map<String, String> settings) {
        Map<String, String> values = new HashMap<>();
        Map<String, Path> files = new HashMap<>();
        for (Map.Entry<String, String> entry : settings.entrySet()) {
            String key = entry.getKey();
            if (key.endsWith(FILE_SUFFIX)) {
                String property = key.substring(0, key.length() - FILE_SUFFIX.length());
                if (settings.containsKey(property)) {
                    throw new IllegalArgumentException("set " + PREFIX + property + " or " + PREFIX + key + ", not both");
                }
                Path file = Path.of(entry.getValue().trim());
                files.put(property, file);
                values.put(property, read(PREFIX + key, file));
            } else if (!settings.containsKey(key + FILE_SUFFIX)) {
                values.put(key, entry.getValue());
            }
        }
        return new KafkaClientProperties(values, files);
    }

    private static String read(String key, Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            // the path is configuration, not a secret; the content is never shown
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /**
     * A properties-form key as given, unless it is an environment name in dotted form (SmallRye reports
     * {@code GAUNTLET_KAFKA_SASL_JAAS_CONFIG_FILE} also as {@code gauntlet.kafka.sasl.jaas.config.file}) that spells a
     * known property or its {@code -file}.
     */
    static String canonicalKey(String key) {
        String base = key.endsWith(FILE_SUFFIX) ? key.substring(0, key.length() - FILE_SUFFIX.length()) : key;
        if (KNOWN.contains(base)) {
            return key;
        }
        return environmentKey(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_")).orElse(key);
    }

    /** {@code SASL_JAAS_CONFIG_FILE} → {@code sasl.jaas.config-file}, only for properties Kafka knows. */
    static Optional<String> environmentKey(String rest) {
        String lower = rest.toLowerCase(Locale.ROOT);
        for (String known : KNOWN) {
            String env = known.replace('.', '_');
            if (lower.equals(env)) {
                return Optional.of(known);
            }
            if (lower.equals(env + "_file")) {
                return Optional.of(known + FILE_SUFFIX);
            }
        }
        return Optional.empty();
    }

    /**
     * The client config for one service: these properties, with the service's own bootstrap servers (its
     * per-service key) winning over {@code gauntlet.kafka.bootstrap.servers}; empty when neither names a broker.
     */
    public Optional<Map<String, Object>> clientConfig(Optional<String> serviceBootstrapServers) {
        Map<String, Object> config = new HashMap<>(values);
        serviceBootstrapServers.filter(servers -> !servers.isBlank()).ifPresent(servers -> config.put("bootstrap.servers", servers));
        Object bootstrap = config.get("bootstrap.servers");
        if (bootstrap == null || bootstrap.toString().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(config);
    }

    /** The resolved properties (secrets included): for the Kafka client only, never for a log. */
    public Map<String, String> values() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Whether a property's value must never be shown. */
    public boolean isSecret(String property) {
        return files.containsKey(property) || isSecretProperty(property);
    }

    /** Kafka's password-typed properties, and anything named like a password or secret. */
    static boolean isSecretProperty(String property) {
        String lower = property.toLowerCase(Locale.ROOT);
        return PASSWORD_TYPED.contains(property) || lower.contains("password") || lower.contains("secret") || lower.contains("jaas")
                || lower.endsWith(".key") || lower.contains("credentials") || lower.contains("token");
    }

    /** Property names with their values, secrets as {@code <hidden>} or {@code <from file …>}: safe to log. */
    @Override
    public String toString() {
        StringJoiner text = new StringJoiner(", ", "{", "}");
        values.forEach((property, value) -> {
            Path file = files.get(property);
            if (file != null) {
                text.add(property + "=<from file " + file + ">");
            } else {
                text.add(property + "=" + (isSecret(property) ? "<hidden>" : value));
            }
        });
        return text.toString();
    }

    /** The properties the Kafka producer, consumer and admin client know (what the environment form may spell). */
    public static Set<String> knownPropertyNames() {
        return KNOWN;
    }

    private static Set<String> knownProperties() {
        Set<String> names = new TreeSet<>();
        names.addAll(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Collections.unmodifiableSet(names);
    }

    private static Set<String> passwordTypedProperties() {
        Set<String> names = new TreeSet<>();
        for (ConfigDef definition : new ConfigDef[] {ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef()}) {
            definition.configKeys().values().stream().filter(key -> key.type == ConfigDef.Type.PASSWORD).forEach(key -> names.add(key.name));
        }
        return Collections.unmodifiableSet(names);
    }
}
