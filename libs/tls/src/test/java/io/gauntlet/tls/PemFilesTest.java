package io.gauntlet.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tls.TestCertificates.KeyForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemFilesTest {
    private static final TestCertificates CA = TestCertificates.newCa("pem-test-ca");

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsEveryKeyFormOpenSslAndCertManagerWrite(KeyForm form) throws Exception {
        TestCertificates.Issued issued = CA.server("server-" + form, form);
        issued.write(dir.resolve("tls.crt"), dir.resolve("tls.key"), form);

        CertifiedKey loaded = CertifiedKey.load(dir.resolve("tls.crt"), dir.resolve("tls.key"));

        assertThat(loaded.leaf()).isEqualTo(issued.certificate());
        assertThat(loaded.chain()).containsExactly(issued.certificate(), CA.certificate());
        // load() checked that the key signs for the certificate's public key
        assertThat(loaded.key().getAlgorithm()).isEqualTo(issued.keys().getPrivate().getAlgorithm());
        assertThat(Files.readString(dir.resolve("tls.key"))).contains(switch (form) {
            case RSA_PKCS1 -> "RSA PRIVATE";
            case EC_SEC1 -> "EC PRIVATE";
            default -> "BEGIN PRIVATE";
        });
        assertThat(loaded.toString()).contains("CN=server-" + form).doesNotContain(Base64.getEncoder().encodeToString(issued.keys().getPrivate().getEncoded()).substring(0, 20));
    }

    @Test
    void readsKeysOpenSslMadeInItsTraditionalForms() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl not installed");
        run("/usr/bin/openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", dir.resolve("ec.key").toString());
        run("/usr/bin/openssl", "genrsa", "-traditional", "-out", dir.resolve("rsa.key").toString(), "2048");
        run("/usr/bin/openssl", "genpkey", "-algorithm", "ed25519", "-out", dir.resolve("ed.key").toString());
        assertThat(PemFiles.privateKey(dir.resolve("ec.key"), "key file").getAlgorithm()).isEqualTo("EC");
        assertThat(PemFiles.privateKey(dir.resolve("rsa.key"), "key file").getAlgorithm()).isEqualTo("RSA");
        assertThat(PemFiles.privateKey(dir.resolve("ed.key"), "key file").getAlgorithm()).isIn("EdDSA", "Ed25519");
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as(output).isZero();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        CA.server("one", KeyForm.EC_PKCS8).write(dir.resolve("one.crt"), dir.resolve("one.key"), KeyForm.EC_PKCS8);
        CA.server("two", KeyForm.EC_PKCS8).write(dir.resolve("two.crt"), dir.resolve("two.key"), KeyForm.EC_PKCS8);

        assertThatThrownBy(() -> CertifiedKey.load(dir.resolve("one.crt"), dir.resolve("two.key")))
                .isInstanceOf(TlsConfigException.class)
                .hasMessage("key file " + dir.resolve("two.key") + " does not hold the private key of the certificate in " + dir.resolve("one.crt"));
    }

    @Test
    void missingAndMalformedFilesSayWhichFileAndNeverQuoteIt() throws Exception {
        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("absent.crt"), "certificate file"))
                .hasMessage("certificate file " + dir.resolve("absent.crt") + " does not exist");

        Files.writeString(dir.resolve("text.crt"), "hunter2 is not a certificate\n");
        assertThatThrownBy(() -> PemFiles.certificates(dir.resolve("text.crt"), "certificate file"))
                .hasMessage("certificate file " + dir.resolve("text.crt") + " holds no PEM certificate");

        CA.server("k", KeyForm.RSA_PKCS1).write(dir.resolve("k.crt"), dir.resolve("k.key"), KeyForm.RSA_PKCS1);
        String key = Files.readString(dir.resolve("k.key"));
        String damaged = key.substring(0, key.indexOf('\n') + 1) + "AAAA" + key.substring(key.indexOf('\n') + 5);
        Files.writeString(dir.resolve("damaged.key"), damaged);
        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("damaged.key"), "key file"))
                .isInstanceOf(TlsConfigException.class)
                .hasMessageStartingWith("key file " + dir.resolve("damaged.key"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(damaged.split("\n")[1].substring(4, 30)));

        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("k.crt"), "key file"))
                .hasMessage("key file " + dir.resolve("k.crt") + " holds no PEM private key");
    }
}
