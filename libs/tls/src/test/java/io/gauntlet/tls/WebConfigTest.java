package io.gauntlet.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConfigTest {
    private static final String HASH = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

    @TempDir
    Path dir;

    @Test
    void readsPrometheusFileWithPathsRelativeToIt() throws Exception {
        Path file = dir.resolve("web.yml");
        Files.writeString(file, """
                tls_server_config:
                  cert_file: tls/server.crt
                  key_file: /etc/tls/server.key
                  client_auth_type: RequireAndVerifyClientCert
                  client_ca_file: ca.crt
                  min_version: TLS13
                  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305]
                http_server_config:
                  http2: false
                  headers:
                    X-Frame-Options: deny
                basic_auth_users:
                  alice: %s
                """.formatted(HASH));

        WebConfig config = WebConfig.load(file);

        WebConfig.TlsServer tls = config.tls().orElseThrow();
        assertThat(tls.certFile()).isEqualTo(dir.resolve("tls/server.crt"));
        assertThat(tls.keyFile()).isEqualTo(Path.of("/etc/tls/server.key"));
        assertThat(tls.clientCaFile()).contains(dir.resolve("ca.crt"));
        assertThat(tls.clientAuth()).isEqualTo(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT);
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.cipherSuites()).startsWith("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
                .contains("TLS_AES_128_GCM_SHA256");
        assertThat(config.http2()).isFalse();
        assertThat(config.headers()).isEqualTo(Map.of("X-Frame-Options", "deny"));
        assertThat(config.users()).isEqualTo(Map.of("alice", HASH));
    }

    @Test
    void defaultsAreTls12To13AndNoTlsWithoutCertificateSettings() {
        WebConfig usersOnly = WebConfig.parse("basic_auth_users:\n  bob: " + HASH + "\ntls_server_config: {}\n", dir);
        assertThat(usersOnly.tls()).isEmpty();
        assertThat(usersOnly.http2()).isTrue();
        WebConfig tls = WebConfig.parse("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", dir);
        assertThat(tls.tls().orElseThrow().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.tls().orElseThrow().clientAuth()).isEqualTo(WebConfig.ClientAuth.NO_CLIENT_CERT);
        assertThat(WebConfig.parse("", dir).users()).isEmpty();
    }

    @Test
    void mistakesAreNamedWithoutQuotingValues() throws Exception {
        assertThat(problem("tls_server_config:\n  key_file: a.key\n")).isEqualTo("tls_server_config: missing cert_file");
        assertThat(problem("tls_server_config:\n  cert_file: a.crt\n")).isEqualTo("tls_server_config: missing key_file");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Always\n"))
                .startsWith("tls_server_config: invalid client_auth_type 'Always'");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca\n"))
                .isEqualTo("tls_server_config: client_ca_file is set without a client_auth_type that asks for client certificates");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS14\n"))
                .isEqualTo("tls_server_config.min_version: unknown TLS version 'TLS14' (expected 1.0, 1.1, 1.2 or 1.3)");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n"))
                .contains("minimum TLS version TLSv1.3 is above the maximum TLSv1.2");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [TLS_FANCY]\n"))
                .isEqualTo("tls_server_config.cipher_suites: unknown cipher: TLS_FANCY");
        assertThat(problem("tls_server_confg:\n  cert_file: a\n")).isEqualTo("unknown key tls_server_confg");
        assertThat(problem("http_server_config:\n  headers:\n    X-Powered-By: me\n"))
                .isEqualTo("http_server_config.headers: HTTP header \"X-Powered-By\" can not be configured");
        assertThat(problem("tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences: [X25519]\n"))
                .startsWith("tls_server_config.curve_preferences is not supported");
        String malformed = problem("basic_auth_users:\n  alice: [" + HASH + "\n");
        assertThat(malformed).startsWith("malformed YAML at line").doesNotContain(HASH);

        assertThatThrownBy(() -> WebConfig.load(dir.resolve("absent.yml")))
                .hasMessage("web config file " + dir.resolve("absent.yml") + " does not exist");
        Files.writeString(dir.resolve("bad.yml"), "tls_server_config:\n  cert_file: a\n");
        assertThatThrownBy(() -> WebConfig.load(dir.resolve("bad.yml")))
                .hasMessage("web config file " + dir.resolve("bad.yml") + ": tls_server_config: missing key_file");
    }

    private String problem(String yaml) {
        try {
            WebConfig.parse(yaml, dir);
        } catch (TlsConfigException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }

    @Test
    void tlsVersionsAreReadInBothSpellings() {
        assertThat(List.of("1.2", "TLS12", "tlsv1.2").stream().map(v -> TlsVersions.protocol(v, "x")).distinct()).containsExactly("TLSv1.2");
    }
}
