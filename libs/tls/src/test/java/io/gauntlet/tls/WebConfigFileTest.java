package io.gauntlet.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tls.TestCertificates.KeyForm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConfigFileTest {
    @TempDir
    Path dir;

    private static String hash(String password) {
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), new byte[16], 4);
    }

    private void write(String content) throws Exception {
        Path temporary = dir.resolve("web.yml.tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, dir.resolve("web.yml"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void usersFollowTheFileAndABrokenChangeKeepsTheLastGoodOnes() throws Exception {
        write("basic_auth_users:\n  alice: " + hash("one") + "\n");
        WebConfigFile web = new WebConfigFile(dir.resolve("web.yml"), Duration.ZERO);
        assertThat(web.tls()).isEmpty();
        assertThat(web.authenticate(new WebConfigFile.Credentials("alice", "one"))).isTrue();
        assertThat(web.remembered(new WebConfigFile.Credentials("alice", "one"))).isTrue();
        assertThat(web.describe()).contains("no TLS", "1 basic auth user(s)").doesNotContain("$2y$");

        write("basic_auth_users:\n  alice: " + hash("two") + "\n  bob: " + hash("three") + "\n");
        assertThat(web.authenticate(new WebConfigFile.Credentials("alice", "one"))).isFalse();
        assertThat(web.remembered(new WebConfigFile.Credentials("alice", "one"))).isFalse();
        assertThat(web.authenticate(new WebConfigFile.Credentials("bob", "three"))).isTrue();

        write("basic_auth_users:\n  alice: plain-text\n");
        assertThat(web.authenticate(new WebConfigFile.Credentials("bob", "three"))).isTrue();
    }

    @Test
    void tlsFilesAreReadAtStartAndAProblemNamesTheFile() throws Exception {
        TestCertificates ca = TestCertificates.newCa("web-ca");
        ca.server("web", KeyForm.EC_PKCS8).write(dir.resolve("web.crt"), dir.resolve("web.key"), KeyForm.EC_PKCS8);
        ca.writeCa(dir.resolve("ca.crt"));
        write("tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n");
        WebConfigFile web = new WebConfigFile(dir.resolve("web.yml"), Duration.ZERO);
        assertThat(web.keyManager().current().leaf().getSubjectX500Principal().getName()).startsWith("CN=web,");
        assertThat(web.clientTrustManager()).isInstanceOf(ReloadingTrustManager.class);
        assertThat(web.authenticationRequired()).isFalse();
        assertThat(web.describe()).contains("TLS TLSv1.3/TLSv1.2", "client certificates: require and verify client cert");

        write("tls_server_config:\n  cert_file: web.crt\n  key_file: missing.key\n");
        assertThatThrownBy(() -> new WebConfigFile(dir.resolve("web.yml"), Duration.ZERO))
                .isInstanceOf(TlsConfigException.class).hasMessage("key file " + dir.resolve("missing.key") + " does not exist");
    }

    @Test
    void basicCredentialsAreReadAsGoReadsThem() {
        String header = "basic " + Base64.getEncoder().encodeToString("alice:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertThat(WebConfigFile.basicCredentials(header)).isEqualTo(new WebConfigFile.Credentials("alice", "pa:ss"));
        assertThat(WebConfigFile.basicCredentials(header).toString()).doesNotContain("pa:ss");
        assertThat(WebConfigFile.basicCredentials("Bearer x")).isNull();
        assertThat(WebConfigFile.basicCredentials("Basic %%%")).isNull();
        assertThat(WebConfigFile.basicCredentials("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)))).isNull();
        assertThat(WebConfigFile.basicCredentials(null)).isNull();
    }
}
