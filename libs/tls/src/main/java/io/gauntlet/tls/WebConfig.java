package io.gauntlet.tls;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Prometheus' web config file ({@code --web.config.file}, Thanos' {@code --http.config}) as Prometheus 2.42 reads it:
 * {@code tls_server_config}, {@code http_server_config} and {@code basic_auth_users} (bcrypt hashes). Unknown keys are
 * errors, as in Prometheus' strict parsing; relative paths are relative to the file's directory. Errors name the
 * file, the key and the problem, never a value that could be a secret.
 */
public record WebConfig(Optional<TlsServer> tls, boolean http2, Map<String, String> headers, Map<String, String> users) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_LEVEL_KEYS = Set.of("tls_server_config", "http_server_config", "basic_auth_users");
    private static final Set<String> TLS_KEYS = Set.of("cert_file", "key_file", "client_auth_type", "client_ca_file", "cipher_suites",
            "min_version", "max_version", "prefer_server_cipher_suites", "curve_preferences", "cert", "key", "client_ca",
            "client_allowed_sans");
    private static final Set<String> HTTP_KEYS = Set.of("http2", "headers");
    // the headers Prometheus lets an operator set, with the values it allows (none listed: any value)
    private static final Map<String, List<String>> HEADERS = Map.of(
            "Strict-Transport-Security", List.of(),
            "X-Content-Type-Options", List.of("nosniff"),
            "X-Frame-Options", List.of("deny", "sameorigin"),
            "X-XSS-Protection", List.of(),
            "Content-Security-Policy", List.of());

    /** {@code client_auth_type} values, as Go's {@code tls.ClientAuthType}. */
    public enum ClientAuth {
        NO_CLIENT_CERT(false, false), REQUEST_CLIENT_CERT(false, false), REQUIRE_ANY_CLIENT_CERT(true, false),
        VERIFY_CLIENT_CERT_IF_GIVEN(false, true), REQUIRE_AND_VERIFY_CLIENT_CERT(true, true);

        private final boolean required;
        private final boolean verified;

        ClientAuth(boolean required, boolean verified) {
            this.required = required;
            this.verified = verified;
        }

        /** A client without a certificate is refused. */
        public boolean required() {
            return required;
        }

        /** A certificate given is checked against {@code client_ca_file} (the JDK's CAs without one, as Go uses the system's). */
        public boolean verified() {
            return verified;
        }

        /** Asks the client for a certificate at all. */
        public boolean requested() {
            return this != NO_CLIENT_CERT;
        }
    }

    /** {@code tls_server_config}; protocols newest first, cipher suites as IANA/JDK names (Go uses the same ones). */
    public record TlsServer(Path certFile, Path keyFile, ClientAuth clientAuth, Optional<Path> clientCaFile, List<String> protocols,
            List<String> cipherSuites) {
        public TlsServer {
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
        }
    }

    public WebConfig {
        headers = Map.copyOf(headers);
        users = Map.copyOf(users);
    }

    /** Reads and checks the file; every problem is a {@link TlsConfigException} naming the file. */
    public static WebConfig load(Path file) {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException("web config file " + file + " does not exist");
        } catch (IOException e) {
            throw new TlsConfigException("cannot read web config file " + file + ": " + e.getMessage());
        }
        try {
            return parse(content, file.toAbsolutePath().getParent());
        } catch (TlsConfigException e) {
            throw new TlsConfigException("web config file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses web config YAML; relative paths are resolved against {@code directory}. */
    public static WebConfig parse(String yaml, Path directory) {
        JsonNode root = readTree(yaml);
        if (root == null || root.isMissingNode() || root.isNull()) {
            return new WebConfig(Optional.empty(), true, Map.of(), Map.of());
        }
        mapping(root, "the file");
        refuseUnknown(root, TOP_LEVEL_KEYS, "");
        JsonNode http = root.path("http_server_config");
        boolean http2 = true;
        Map<String, String> headers = Map.of();
        if (present(http)) {
            mapping(http, "http_server_config");
            refuseUnknown(http, HTTP_KEYS, "http_server_config.");
            if (present(http.path("http2"))) {
                http2 = bool(http.path("http2"), "http_server_config.http2");
            }
            headers = headers(http.path("headers"));
        }
        return new WebConfig(tls(root.path("tls_server_config"), directory), http2, headers, users(root.path("basic_auth_users")));
    }

    private static Optional<TlsServer> tls(JsonNode tls, Path directory) {
        if (!present(tls)) {
            return Optional.empty();
        }
        mapping(tls, "tls_server_config");
        refuseUnknown(tls, TLS_KEYS, "tls_server_config.");
        for (String unsupported : List.of("cert", "key", "client_ca", "client_allowed_sans", "curve_preferences")) {
            if (present(tls.path(unsupported))) {
                throw new TlsConfigException("tls_server_config." + unsupported + " is not supported (Prometheus 2.42 has no such key"
                        + (unsupported.equals("curve_preferences") ? ", and the JVM's TLS stack chooses the curves" : "") + ")");
            }
        }
        String cert = text(tls, "cert_file");
        String key = text(tls, "key_file");
        String clientAuthType = text(tls, "client_auth_type");
        String clientCa = text(tls, "client_ca_file");
        if (cert.isEmpty() && key.isEmpty() && clientAuthType.isEmpty() && clientCa.isEmpty()) {
            return Optional.empty(); // Prometheus: no TLS config, plain HTTP
        }
        if (cert.isEmpty()) {
            throw new TlsConfigException("tls_server_config: missing cert_file");
        }
        if (key.isEmpty()) {
            throw new TlsConfigException("tls_server_config: missing key_file");
        }
        ClientAuth clientAuth = switch (clientAuthType) {
            case "", "NoClientCert" -> ClientAuth.NO_CLIENT_CERT;
            case "RequestClientCert" -> ClientAuth.REQUEST_CLIENT_CERT;
            case "RequireAnyClientCert", "RequireClientCert" -> ClientAuth.REQUIRE_ANY_CLIENT_CERT;
            case "VerifyClientCertIfGiven" -> ClientAuth.VERIFY_CLIENT_CERT_IF_GIVEN;
            case "RequireAndVerifyClientCert" -> ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT;
            default -> throw new TlsConfigException("tls_server_config: invalid client_auth_type '" + clientAuthType
                    + "' (NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
        };
        if (!clientCa.isEmpty() && clientAuth == ClientAuth.NO_CLIENT_CERT) {
            throw new TlsConfigException("tls_server_config: client_ca_file is set without a client_auth_type that asks for client certificates");
        }
        String min = TlsVersions.protocol(text(tls, "min_version").isEmpty() ? "TLS12" : text(tls, "min_version"), "tls_server_config.min_version");
        String max = TlsVersions.protocol(text(tls, "max_version").isEmpty() ? "TLS13" : text(tls, "max_version"), "tls_server_config.max_version");
        List<String> ciphers = new ArrayList<>();
        JsonNode suites = tls.path("cipher_suites");
        if (present(suites)) {
            if (!suites.isArray()) {
                throw new TlsConfigException("tls_server_config.cipher_suites must be a list");
            }
            for (JsonNode suite : suites) {
                ciphers.add(CipherSuites.jdkName(suite.asText()));
            }
            ciphers.addAll(CipherSuites.TLS13); // Go leaves TLS 1.3's suites out of cipher_suites: they stay enabled
        }
        if (present(tls.path("prefer_server_cipher_suites"))) {
            bool(tls.path("prefer_server_cipher_suites"), "tls_server_config.prefer_server_cipher_suites"); // the JDK always prefers the server's order
        }
        return Optional.of(new TlsServer(directory.resolve(cert), directory.resolve(key), clientAuth,
                clientCa.isEmpty() ? Optional.empty() : Optional.of(directory.resolve(clientCa)),
                TlsVersions.range(min, max, "tls_server_config.min_version/max_version"), ciphers));
    }

    private static Map<String, String> headers(JsonNode headers) {
        if (!present(headers)) {
            return Map.of();
        }
        mapping(headers, "http_server_config.headers");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            List<String> allowed = HEADERS.get(header.getKey());
            if (allowed == null) {
                throw new TlsConfigException("http_server_config.headers: HTTP header \"" + header.getKey() + "\" can not be configured");
            }
            String value = header.getValue().asText();
            if (!allowed.isEmpty() && !allowed.contains(value)) {
                throw new TlsConfigException("http_server_config.headers: invalid value for " + header.getKey() + ", expected one of " + allowed);
            }
            out.put(header.getKey(), value);
        }
        return out;
    }

    private static Map<String, String> users(JsonNode users) {
        if (!present(users)) {
            return Map.of();
        }
        mapping(users, "basic_auth_users");
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = users.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> user = it.next();
            if (!user.getValue().isTextual()) {
                throw new TlsConfigException("basic_auth_users: the password hash of user \"" + user.getKey() + "\" must be a string");
            }
            out.put(user.getKey(), user.getValue().asText());
        }
        return out;
    }

    private static JsonNode readTree(String yaml) {
        try {
            return YAML.readTree(yaml);
        } catch (JacksonException e) {
            // the parser's message quotes the offending line, which may hold a password hash: only where and what
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                    throw new TlsConfigException("malformed YAML at line " + (marked.getProblemMark().getLine() + 1) + ", column "
                            + (marked.getProblemMark().getColumn() + 1) + ": " + marked.getProblem());
                }
            }
            throw new TlsConfigException("malformed YAML" + (e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        }
    }

    private static boolean present(JsonNode node) {
        return !node.isMissingNode() && !node.isNull();
    }

    private static void mapping(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new TlsConfigException(where + " must be a YAML mapping");
        }
    }

    private static void refuseUnknown(JsonNode node, Set<String> known, String path) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new TlsConfigException("unknown key " + path + name);
            }
        }
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.path(key);
        if (!present(value)) {
            return "";
        }
        if (!value.isValueNode()) {
            throw new TlsConfigException("tls_server_config." + key + " must be a string");
        }
        return value.asText().trim();
    }

    private static boolean bool(JsonNode node, String where) {
        if (!node.isBoolean()) {
            throw new TlsConfigException(where + " must be true or false");
        }
        return node.booleanValue();
    }
}
