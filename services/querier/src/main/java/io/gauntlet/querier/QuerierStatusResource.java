package io.gauntlet.querier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.gauntlet.query.PrometheusJson;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Prometheus' status endpoints answered for the querier itself, in Prometheus 2.42's shapes: its settings stand for
 * Prometheus' flags and configuration (the {@code gauntlet.} properties, named without that prefix, secrets shown as
 * Prometheus shows them: {@code <secret>}), the JVM for Go's runtime.
 */
@jakarta.ws.rs.Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class QuerierStatusResource {
    private static final String PREFIX = "gauntlet.";
    /** Setting names whose values are credentials (passwords, tokens, Kafka's JAAS line with its password). */
    private static final Pattern SECRET = Pattern.compile("(?i).*(password|secret|token|jaas|credential).*");
    /** Go's time.Time in JSON: RFC 3339 with nanoseconds, trailing zeros dropped. */
    private static final DateTimeFormatter RFC3339_NANO = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).appendLiteral('Z').toFormatter().withZone(ZoneOffset.UTC);
    private static final YAMLMapper YAML = YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build();

    /** The querier sends no alerts: the answer of a Prometheus with no Alertmanager configured. */
    @GET
    @jakarta.ws.rs.Path("alertmanagers")
    public String alertmanagers() {
        return PrometheusJson.success("{\"activeAlertmanagers\":[],\"droppedAlertmanagers\":[]}", List.of());
    }

    /** Prometheus' flags object: every setting by name, values as strings. */
    @GET
    @jakarta.ws.rs.Path("status/flags")
    public String flags() {
        StringBuilder out = new StringBuilder("{");
        for (var entry : settings().entrySet()) {
            out.append(out.length() == 1 ? "" : ",");
            PrometheusJson.writeString(out, entry.getKey());
            out.append(':');
            PrometheusJson.writeString(out, entry.getValue());
        }
        return PrometheusJson.success(out.append('}').toString(), List.of());
    }

    /** The settings as YAML under {@code yaml}, as Prometheus shows its configuration file. */
    @GET
    @jakarta.ws.rs.Path("status/config")
    public String config() throws JsonProcessingException {
        Map<String, String> settings = settings();
        StringBuilder out = new StringBuilder("{\"yaml\":");
        PrometheusJson.writeString(out, settings.isEmpty() ? "{}\n" : YAML.writeValueAsString(settings));
        return PrometheusJson.success(out.append('}').toString(), List.of());
    }

    /**
     * Prometheus' runtime information with the JVM's equivalents: threads for goroutines, available processors for
     * GOMAXPROCS; the configuration is read once at start, and the querier keeps no local storage (no retention).
     */
    @GET
    @jakarta.ws.rs.Path("status/runtimeinfo")
    public String runtimeInfo() {
        Instant started = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
        StringBuilder out = new StringBuilder("{\"startTime\":");
        PrometheusJson.writeString(out, RFC3339_NANO.format(started));
        out.append(",\"CWD\":");
        PrometheusJson.writeString(out, Path.of("").toAbsolutePath().toString());
        out.append(",\"reloadConfigSuccess\":true,\"lastConfigTime\":");
        PrometheusJson.writeString(out, RFC3339_NANO.format(Instant.ofEpochSecond(started.getEpochSecond())));
        out.append(",\"corruptionCount\":0,\"goroutineCount\":").append(Thread.activeCount())
                .append(",\"GOMAXPROCS\":").append(Runtime.getRuntime().availableProcessors())
                .append(",\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":\"\"}");
        return PrometheusJson.success(out.toString(), List.of());
    }

    /** The {@code gauntlet.} settings by name without the prefix, sorted; credentials as {@code <secret>}. */
    static Map<String, String> settings() {
        Config config = ConfigProvider.getConfig();
        Map<String, String> settings = new TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String value;
            try {
                value = config.getOptionalValue(name, String.class).orElse("");
            } catch (RuntimeException e) {
                continue; // a name some source lists without a usable value
            }
            settings.put(name.substring(PREFIX.length()), SECRET.matcher(name).matches() && !value.isEmpty() ? "<secret>" : value);
        }
        return settings;
    }
}
