package io.gauntlet.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Thanos' http client config YAML: every key, Prometheus' validation rules, and no secret in any text. */
class HttpClientConfigTest {
    @Test
    void everyKeyOfThanosFormatIsRead() {
        HttpClientConfig config = HttpClientConfig.parse("""
                basic_auth:
                  username: prom
                  password: s3cret-pass
                tls_config:
                  ca_file: /etc/ca.crt
                  cert_file: /etc/client.crt
                  key_file: /etc/client.key
                  server_name: prometheus.example
                  insecure_skip_verify: false
                transport_config:
                  max_idle_conns: 10
                  dialer_timeout: 5000000000
                """, "test");
        assertThat(config.basicAuth()).isEqualTo(new HttpClientConfig.BasicAuth("prom", "s3cret-pass", null));
        assertThat(config.tls()).isEqualTo(new HttpClientConfig.TlsConfig(Path.of("/etc/ca.crt"), Path.of("/etc/client.crt"),
                Path.of("/etc/client.key"), "prometheus.example", false));
        assertThat(HttpClientConfig.parse("bearer_token_file: /var/run/token\ntls_config:\n  insecure_skip_verify: true\n", "test"))
                .isEqualTo(new HttpClientConfig(null, "", Path.of("/var/run/token"), new HttpClientConfig.TlsConfig(null, null, null, "", true)));
        assertThat(HttpClientConfig.parse("", "test")).isEqualTo(HttpClientConfig.NONE);
        assertThat(HttpClientConfig.of(null, "  ")).isEqualTo(HttpClientConfig.NONE);
    }

    @Test
    void prometheusValidationRulesApply() {
        assertThatThrownBy(() -> HttpClientConfig.parse("bearer_token: a\nbearer_token_file: /t\n", "file x"))
                .hasMessage("file x: at most one of bearer_token & bearer_token_file must be configured");
        assertThatThrownBy(() -> HttpClientConfig.parse("bearer_token: a\nbasic_auth:\n  username: u\n", "file x"))
                .hasMessage("file x: at most one of basic_auth, bearer_token & bearer_token_file must be configured");
        assertThatThrownBy(() -> HttpClientConfig.parse("basic_auth:\n  username: u\n  password: p\n  password_file: /p\n", "file x"))
                .hasMessage("file x: at most one of basic_auth password & password_file must be configured");
        assertThatThrownBy(() -> HttpClientConfig.parse("tls_config:\n  cert_file: /c\n", "file x"))
                .hasMessage("file x: client certificate file /c specified without client key file");
        assertThatThrownBy(() -> HttpClientConfig.parse("proxy_url: http://proxy:3128\n", "file x")).hasMessageContaining("proxy_url is not supported");
    }

    @Test
    void aMisspeltKeyIsRefusedNotIgnored() {
        assertThatThrownBy(() -> HttpClientConfig.parse("tls_config:\n  insecure_skip_verfy: true\n", "file x"))
                .hasMessageStartingWith("file x: unknown key tls_config.insecure_skip_verfy (known: ca_file, cert_file, ");
        assertThatThrownBy(() -> HttpClientConfig.parse("authorization:\n  credentials: abc\n", "file x"))
                .hasMessageStartingWith("file x: unknown key authorization");
    }

    @Test
    void secretsAppearInNoTextAndNoError(@TempDir Path directory) throws Exception {
        HttpClientConfig basic = HttpClientConfig.parse("basic_auth:\n  username: prom\n  password: s3cret-pass\n", "test");
        HttpClientConfig bearer = HttpClientConfig.parse("bearer_token: t0ken-value\n", "test");
        assertThat(basic.toString()).contains("prom").doesNotContain("s3cret-pass");
        assertThat(bearer.toString()).doesNotContain("t0ken-value");
        // a YAML error quotes the input in the parser's message: only the position is kept
        assertThatThrownBy(() -> HttpClientConfig.parse("basic_auth:\n  password: \"s3cret-pass\n  username: [", "test"))
                .hasMessageStartingWith("test is not valid YAML (line").message().doesNotContain("s3cret");
        Path file = directory.resolve("client.yml");
        Files.writeString(file, "bearer_token: t0ken-value\nbasic_auth:\n  password: s3cret-pass\n");
        assertThatThrownBy(() -> HttpClientConfig.of(file, null)).message().doesNotContain("s3cret").doesNotContain("t0ken")
                .contains(file.toString());
        assertThatThrownBy(() -> HttpClientConfig.of(file, "bearer_token: x")).hasMessageContaining("set only one");
        assertThatThrownBy(() -> HttpClientConfig.of(directory.resolve("missing.yml"), null)).hasMessageContaining("cannot read");
    }
}
