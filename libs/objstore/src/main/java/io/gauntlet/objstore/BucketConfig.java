package io.gauntlet.objstore;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A Thanos objstore config, accepted unchanged: {@code type}, {@code config} and the top-level {@code prefix}.
 * Parsed strictly, as Thanos does: an unknown key is an error naming it. Thanos keys Gauntlet does not implement are
 * accepted only with their no-op value (e.g. {@code sse_config} without a type), so nobody who asked for encryption
 * gets unencrypted uploads; a few tuning keys are accepted and ignored ({@link #IGNORED_S3_KEYS}). Any problem is an
 * {@link IllegalArgumentException} that names it and never quotes a credential.
 */
public record BucketConfig(BackendConfig backend, String prefix) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final System.Logger LOG = System.getLogger(BucketConfig.class.getName());

    private static final Set<String> TOP_LEVEL_KEYS = Set.of("type", "config", "prefix");
    private static final Set<String> FILESYSTEM_KEYS = Set.of("directory");
    private static final Set<String> S3_KEYS = Set.of("bucket", "endpoint", "region", "access_key", "secret_key",
            "session_token", "insecure", "bucket_lookup_type", "part_size", "max_retries", "http_config", "aws_sdk_auth", "sts_endpoint");
    private static final Set<String> S3_HTTP_KEYS = Set.of("response_header_timeout", "tls_handshake_timeout");
    /** Thanos S3 keys that only tune its Go client or its debug logging: accepted and ignored. */
    static final Set<String> IGNORED_S3_KEYS = Set.of("trace");
    static final Set<String> IGNORED_S3_HTTP_KEYS = Set.of("idle_conn_timeout", "max_idle_conns", "max_idle_conns_per_host",
            "max_conns_per_host", "expect_continue_timeout", "disable_compression");

    public BucketConfig {
        Objects.requireNonNull(backend, "backend");
        prefix = normalizePrefix(prefix);
    }

    public static BucketConfig filesystem(Path directory) {
        return new BucketConfig(new FilesystemConfig(directory), "");
    }

    public static BucketConfig s3(S3Config config) {
        return new BucketConfig(config, "");
    }

    public BucketConfig withPrefix(String newPrefix) {
        return new BucketConfig(backend, newPrefix);
    }

    public BucketType type() {
        return backend.type();
    }

    /** Reads the objstore YAML in {@code file} (as {@code --objstore.config-file}). */
    public static BucketConfig load(Path file) {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("objstore config file " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read objstore config file " + file + ": " + e.getMessage());
        }
        try {
            return parse(content);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("objstore config file " + file + ": " + e.getMessage());
        }
    }

    /** Parses objstore YAML given inline (as {@code --objstore.config}). */
    public static BucketConfig parse(String yaml) {
        if (yaml == null || yaml.isBlank()) {
            throw new IllegalArgumentException("objstore config is empty: it needs at least 'type' and 'config'");
        }
        JsonNode root = readTree(yaml);
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new IllegalArgumentException("objstore config is empty: it needs at least 'type' and 'config'");
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException("objstore config must be a YAML mapping with 'type' and 'config'");
        }
        BucketType type = BucketType.parse(text(root, "type", ""));
        rejectUnknown(root, TOP_LEVEL_KEYS, "");
        JsonNode config = root.path("config");
        if (!config.isMissingNode() && !config.isNull() && !config.isObject()) {
            throw new IllegalArgumentException("objstore 'config' must be a mapping");
        }
        BackendConfig backend = switch (type) {
            case FILESYSTEM -> parseFilesystem(config);
            case S3 -> parseS3(config);
            case AZURE -> parseAzure(config);
        };
        return new BucketConfig(backend, text(root, "prefix", ""));
    }

    private static JsonNode readTree(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (JacksonException e) {
            // the parser's own message quotes the offending line, which may hold a secret: report only where and what
            throw new IllegalArgumentException("malformed objstore YAML" + where(e) + ": " + problem(e));
        }
    }

    private static String where(JacksonException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                return " at line " + (marked.getProblemMark().getLine() + 1) + ", column " + (marked.getProblemMark().getColumn() + 1);
            }
        }
        JsonLocation location = e.getLocation();
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String problem(JacksonException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblem() != null) {
                return marked.getProblem();
            }
        }
        return "not valid YAML";
    }

    private static FilesystemConfig parseFilesystem(JsonNode config) {
        rejectUnknown(config, FILESYSTEM_KEYS, "config.");
        String directory = text(config, "directory", "config.");
        if (directory.isBlank()) {
            throw new IllegalArgumentException("FILESYSTEM objstore config needs 'config.directory'");
        }
        return new FilesystemConfig(Path.of(directory));
    }

    private static S3Config parseS3(JsonNode config) {
        rejectUnsupported(config);
        rejectUnknown(config, union(S3_KEYS, IGNORED_S3_KEYS, NOT_IMPLEMENTED_S3_KEYS), "config.");
        String bucket = text(config, "bucket", "config.");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("S3 objstore config needs 'config.bucket'");
        }
        JsonNode http = config.path("http_config");
        if (!http.isMissingNode() && !http.isNull() && !http.isObject()) {
            throw new IllegalArgumentException("objstore 'config.http_config' must be a mapping");
        }
        requireNoOp(http, "insecure_skip_verify", "config.http_config.", "TLS verification cannot be turned off");
        requireNoOp(http, "tls_config", "config.http_config.", "custom TLS settings for the bucket are not implemented");
        rejectUnknown(http, union(S3_HTTP_KEYS, IGNORED_S3_HTTP_KEYS, Set.of("insecure_skip_verify", "tls_config")), "config.http_config.");
        long maxRetries = number(config, "max_retries", "config."); // 0: the default, as in Thanos
        return new S3Config(
                bucket,
                text(config, "endpoint", "config."),
                text(config, "region", "config."),
                text(config, "access_key", "config."),
                text(config, "secret_key", "config."),
                text(config, "session_token", "config."),
                bool(config, "insecure", "config."),
                BucketLookupType.parse(text(config, "bucket_lookup_type", "config.")),
                number(config, "part_size", "config."),
                maxRetries == 0 ? S3Config.DEFAULT_MAX_RETRIES : Math.toIntExact(maxRetries),
                duration(http, "tls_handshake_timeout", "config.http_config."),
                duration(http, "response_header_timeout", "config.http_config."),
                text(config, "sts_endpoint", "config."));
    }

    private static final Set<String> AZURE_KEYS = Set.of("storage_account", "storage_account_key", "storage_connection_string",
            "storage_create_container", "container", "endpoint", "max_retries", "reader_config", "pipeline_config", "http_config",
            "user_assigned_id", "az_tenant_id", "client_id", "client_secret", "msi_resource");
    private static final Set<String> AZURE_PIPELINE_KEYS = Set.of("max_tries", "try_timeout", "retry_delay", "max_retry_delay");

    private static AzureConfig parseAzure(JsonNode config) {
        rejectUnknown(config, AZURE_KEYS, "config.");
        // Thanos' other credentials: Azure AD (workload or managed identity, a service principal)
        for (String key : List.of("user_assigned_id", "az_tenant_id", "client_id", "client_secret")) {
            requireNoOp(config, key, "config.", "Azure AD identities are not implemented: use storage_account_key or"
                    + " storage_connection_string");
        }
        if (!text(config, "msi_resource", "config.").isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "objstore 'config.msi_resource' is deprecated and ignored, as in Thanos");
        }
        JsonNode reader = mapping(config, "reader_config");
        rejectUnknown(reader, Set.of("max_retry_requests"), "config.reader_config.");
        if (number(reader, "max_retry_requests", "config.reader_config.") < 0) {
            throw new IllegalArgumentException("objstore 'config.reader_config.max_retry_requests' must not be negative");
        }
        JsonNode pipeline = mapping(config, "pipeline_config");
        rejectUnknown(pipeline, AZURE_PIPELINE_KEYS, "config.pipeline_config.");
        JsonNode http = mapping(config, "http_config");
        requireNoOp(http, "insecure_skip_verify", "config.http_config.", "TLS verification cannot be turned off");
        requireNoOp(http, "tls_config", "config.http_config.", "custom TLS settings for the bucket are not implemented");
        rejectUnknown(http, union(S3_HTTP_KEYS, IGNORED_S3_HTTP_KEYS, Set.of("insecure_skip_verify", "tls_config")), "config.http_config.");
        long maxRetries = number(config, "max_retries", "config.");
        long maxTries = number(pipeline, "max_tries", "config.pipeline_config.");
        if (maxTries < 0 || maxRetries < 0) {
            throw new IllegalArgumentException("objstore 'config.pipeline_config.max_tries' and 'config.max_retries' must not be negative");
        }
        if (maxTries == 0 && maxRetries > 0) {
            maxTries = maxRetries; // as Thanos: the generic key fills the pipeline's when that is unset
        }
        JsonNode create = config.path("storage_create_container");
        return new AzureConfig(
                text(config, "storage_account", "config."),
                text(config, "storage_account_key", "config."),
                text(config, "storage_connection_string", "config."),
                create.isMissingNode() || create.isNull() || bool(config, "storage_create_container", "config."), // Thanos' default: true
                text(config, "container", "config."),
                text(config, "endpoint", "config."),
                Math.toIntExact(maxTries),
                duration(pipeline, "try_timeout", "config.pipeline_config."),
                duration(pipeline, "retry_delay", "config.pipeline_config."),
                duration(pipeline, "max_retry_delay", "config.pipeline_config."),
                duration(http, "tls_handshake_timeout", "config.http_config."),
                duration(http, "response_header_timeout", "config.http_config."),
                0);
    }

    private static JsonNode mapping(JsonNode config, String key) {
        JsonNode node = config.path(key);
        if (!node.isMissingNode() && !node.isNull() && !node.isObject()) {
            throw new IllegalArgumentException("objstore 'config." + key + "' must be a mapping");
        }
        return node;
    }

    /** Thanos S3 keys Gauntlet does not implement: each accepted only with its no-op value. */
    private static final Set<String> NOT_IMPLEMENTED_S3_KEYS = Set.of("sse_config", "put_user_metadata", "send_content_md5",
            "disable_multipart", "signature_version2", "list_objects_version");

    private static void rejectUnsupported(JsonNode config) {
        JsonNode sse = config.path("sse_config");
        if (sse.isObject() && !text(sse, "type", "config.sse_config.").isEmpty()) {
            throw new IllegalArgumentException("objstore 'config.sse_config' (server-side encryption) is not implemented: Gauntlet"
                    + " refuses to start rather than upload unencrypted; remove it or use bucket default encryption");
        }
        requireNoOp(config, "put_user_metadata", "config.", "user metadata on uploads is not implemented");
        requireNoOp(config, "send_content_md5", "config.", "Content-MD5 on uploads (object-lock buckets) is not implemented");
        requireNoOp(config, "disable_multipart", "config.", "single-part uploads are not implemented");
        requireNoOp(config, "signature_version2", "config.", "only signature version 4 is implemented");
        String listVersion = text(config, "list_objects_version", "config.");
        if (!listVersion.isEmpty() && !listVersion.equals("v2")) {
            throw new IllegalArgumentException("objstore 'config.list_objects_version' " + listVersion + " is not implemented: only v2");
        }
    }

    /** A key that is fine absent, null, false, empty or a mapping of such values (as Thanos dumps its defaults), and an error otherwise. */
    private static void requireNoOp(JsonNode node, String key, String path, String why) {
        if (!isNoOp(node.path(key))) {
            throw new IllegalArgumentException("objstore '" + path + key + "' is set, but " + why);
        }
    }

    private static boolean isNoOp(JsonNode value) {
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                if (!isNoOp(field.getValue())) {
                    return false;
                }
            }
            return true;
        }
        return value.isMissingNode() || value.isNull() || (value.isBoolean() && !value.booleanValue())
                || (value.isContainerNode() && value.isEmpty()) || (value.isTextual() && (value.textValue().isEmpty()
                || value.textValue().equalsIgnoreCase("false")));
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new java.util.HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return all;
    }

    private static void rejectUnknown(JsonNode node, Set<String> known, String path) {
        if (!node.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!known.contains(field.getKey())) {
                throw new IllegalArgumentException("objstore config has an unknown key '" + path + field.getKey() + "' (keys are checked"
                        + " strictly, as Thanos does)");
            }
        }
    }

    private static String text(JsonNode node, String key, String path) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException("objstore '" + path + key + "' must be a single value, not a list or mapping");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode node, String key, String path) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        String text = value.asText().trim();
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(text);
        }
        // values are not echoed: a misplaced credential must not end up in a log
        throw new IllegalArgumentException("objstore '" + path + key + "' must be true or false");
    }

    private static long number(JsonNode node, String key, String path) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return 0;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.longValue();
        }
        try {
            return Long.parseLong(value.asText().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("objstore '" + path + key + "' must be a whole number");
        }
    }

    private static Duration duration(JsonNode node, String key, String path) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return Duration.ofNanos(value.longValue()); // Go unmarshals a bare number as nanoseconds
        }
        return GoDuration.parse(value.asText(), "objstore '" + path + key + "'");
    }

    private static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String trimmed = prefix.trim();
        while (trimmed.startsWith(Bucket.DELIMITER)) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith(Bucket.DELIMITER)) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (!trimmed.isEmpty()) {
            ObjectNames.normalizeDir(trimmed); // rejects '..' and empty segments
        }
        return trimmed;
    }

    @Override
    public String toString() {
        return "BucketConfig[type=" + type() + ", config=" + backend + ", prefix=" + prefix + "]";
    }
}
