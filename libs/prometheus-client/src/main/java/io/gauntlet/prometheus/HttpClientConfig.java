package io.gauntlet.prometheus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to reach a Prometheus over HTTP, in Thanos' http client config format ({@code --prometheus.http-client-file}):
 * {@code tls_config} (ca_file, cert_file, key_file, server_name, insecure_skip_verify), {@code basic_auth} (username,
 * password or password_file) and {@code bearer_token} or {@code bearer_token_file}. {@code transport_config} is
 * accepted and not applied (the client's own timeouts apply); {@code proxy_url} is refused. Unknown keys are refused,
 * so a misspelt security setting is never silently ignored.
 *
 * <p>Secrets stay out of {@link #toString()} and out of every error message. Files named here are read when used, so
 * rotated passwords, tokens and certificates are picked up without a restart.
 */
public record HttpClientConfig(BasicAuth basicAuth, String bearerToken, Path bearerTokenFile, TlsConfig tls) {
    /** Plain HTTP, no credentials: Thanos' default. */
    public static final HttpClientConfig NONE = new HttpClientConfig(null, "", null, TlsConfig.NONE);
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> KEYS = Set.of("basic_auth", "bearer_token", "bearer_token_file", "proxy_url", "tls_config", "transport_config");
    private static final Set<String> BASIC_AUTH_KEYS = Set.of("username", "password", "password_file");
    private static final Set<String> TLS_KEYS = Set.of("ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify");
    private static final Set<String> TRANSPORT_KEYS = Set.of("max_idle_conns", "max_idle_conns_per_host", "idle_conn_timeout",
            "response_header_timeout", "expect_continue_timeout", "max_conns_per_host", "disable_compression", "tls_handshake_timeout",
            "dialer_timeout");

    /** @param password empty when the password is read from {@code passwordFile} (or there is none) */
    public record BasicAuth(String username, String password, Path passwordFile) {
        @Override
        public String toString() {
            return "BasicAuth[username=" + username + ", password=" + (password.isEmpty() ? "" : "<secret>")
                    + (passwordFile == null ? "" : ", password_file=" + passwordFile) + "]";
        }
    }

    /** The client side of TLS; {@code serverName} empty: the URL's host is verified (and sent as SNI). */
    public record TlsConfig(Path caFile, Path certFile, Path keyFile, String serverName, boolean insecureSkipVerify) {
        public static final TlsConfig NONE = new TlsConfig(null, null, null, "", false);
    }

    public HttpClientConfig {
        bearerToken = bearerToken == null ? "" : bearerToken;
        tls = tls == null ? TlsConfig.NONE : tls;
        int methods = (basicAuth != null ? 1 : 0) + (!bearerToken.isEmpty() ? 1 : 0) + (bearerTokenFile != null ? 1 : 0);
        if (!bearerToken.isEmpty() && bearerTokenFile != null) {
            throw new IllegalArgumentException("at most one of bearer_token & bearer_token_file must be configured");
        }
        if (methods > 1) {
            throw new IllegalArgumentException("at most one of basic_auth, bearer_token & bearer_token_file must be configured");
        }
        if (basicAuth != null && !basicAuth.password().isEmpty() && basicAuth.passwordFile() != null) {
            throw new IllegalArgumentException("at most one of basic_auth password & password_file must be configured");
        }
        if ((tls.certFile() == null) != (tls.keyFile() == null)) {
            throw new IllegalArgumentException(tls.certFile() == null
                    ? "client key file " + tls.keyFile() + " specified without client certificate file"
                    : "client certificate file " + tls.certFile() + " specified without client key file");
        }
    }

    /**
     * The config from Thanos' pair of flags: a file, or the same YAML inline; neither (or blank) is {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the problem (both set, an unreadable file, bad YAML, a bad key), never a secret
     */
    public static HttpClientConfig of(Path file, String inline) {
        boolean hasInline = inline != null && !inline.isBlank();
        if (file != null && hasInline) {
            throw new IllegalArgumentException("both an http client config file and an inline http client config are set: set only one");
        }
        if (file != null) {
            return load(file);
        }
        return hasInline ? parse(inline, "the inline http client config") : NONE;
    }

    public static HttpClientConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the http client config file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, "http client config file " + file);
    }

    /** @param origin what the YAML is, for error messages */
    public static HttpClientConfig parse(String yaml, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            // the parser's own message quotes the input: give only where it broke
            var at = e.getLocation();
            throw new IllegalArgumentException(origin + " is not valid YAML" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        try {
            requireObject(root, "", KEYS);
            if (!text(root, "proxy_url").isEmpty()) {
                throw new IllegalArgumentException("proxy_url is not supported: reach Prometheus directly");
            }
            requireObject(root.path("transport_config"), "transport_config.", TRANSPORT_KEYS);
            BasicAuth basicAuth = null;
            JsonNode basic = root.path("basic_auth");
            requireObject(basic, "basic_auth.", BASIC_AUTH_KEYS);
            if (!text(basic, "username").isEmpty() || !text(basic, "password").isEmpty() || !text(basic, "password_file").isEmpty()) {
                basicAuth = new BasicAuth(text(basic, "username"), text(basic, "password"), path(basic, "password_file"));
            }
            JsonNode tls = root.path("tls_config");
            requireObject(tls, "tls_config.", TLS_KEYS);
            JsonNode skip = tls.path("insecure_skip_verify");
            if (!skip.isMissingNode() && !skip.isNull() && !skip.isBoolean()) {
                throw new IllegalArgumentException("tls_config.insecure_skip_verify must be true or false");
            }
            TlsConfig tlsConfig = new TlsConfig(path(tls, "ca_file"), path(tls, "cert_file"), path(tls, "key_file"), text(tls, "server_name"),
                    skip.asBoolean(false));
            return new HttpClientConfig(basicAuth, text(root, "bearer_token"), path(root, "bearer_token_file"), tlsConfig);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(origin + ": " + e.getMessage(), e);
        }
    }

    /** Whether requests carry credentials. */
    public boolean hasCredentials() {
        return basicAuth != null || !bearerToken.isEmpty() || bearerTokenFile != null;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (basicAuth != null) {
            parts.add("basic_auth=" + basicAuth);
        }
        if (!bearerToken.isEmpty()) {
            parts.add("bearer_token=<secret>");
        }
        if (bearerTokenFile != null) {
            parts.add("bearer_token_file=" + bearerTokenFile);
        }
        if (!tls.equals(TlsConfig.NONE)) {
            parts.add("tls_config=" + tls);
        }
        return "HttpClientConfig" + parts;
    }

    private static void requireObject(JsonNode node, String prefix, Set<String> keys) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException((prefix.isEmpty() ? "the config" : prefix.substring(0, prefix.length() - 1)) + " must be a mapping");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext();) {
            String key = it.next().getKey();
            if (!keys.contains(key)) {
                throw new IllegalArgumentException("unknown key " + prefix + key + " (known: " + String.join(", ", keys.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.path(key);
        if (value.isMissingNode() || value.isNull()) {
            return "";
        }
        if (!value.isValueNode()) {
            throw new IllegalArgumentException(key + " must be a string");
        }
        return value.asText();
    }

    private static Path path(JsonNode node, String key) {
        String text = text(node, key);
        return text.isEmpty() ? null : Path.of(text);
    }
}
