package io.gauntlet.prometheus.testing;

import io.gauntlet.tls.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A CA made at test time (libs/tls' {@link TestCertificates}) with its PEM files in one directory: the CA certificate,
 * server and client pairs, an SSLContext for a test's own calls, and bcrypt hashes for Prometheus' web config.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A certificate and its key on disk. */
    public record Pair(Path certificate, Path key) {
    }

    private final Path directory;
    private final TestCertificates ca;
    private final Path caFile;

    private TestPki(Path directory, TestCertificates ca, Path caFile) {
        this.directory = directory;
        this.ca = ca;
        this.caFile = caFile;
    }

    /** A new CA whose certificate is written to {@code <directory>/<name>-ca.crt}. */
    public static TestPki create(Path directory, String name) throws IOException {
        Files.createDirectories(directory);
        TestCertificates ca = TestCertificates.newCa(name);
        return new TestPki(directory, ca, ca.writeCa(directory.resolve(name + "-ca.crt")));
    }

    public Path caFile() {
        return caFile;
    }

    /** A server certificate for {@code localhost}, {@code 127.0.0.1} and {@code extraNames}, written as {@code <file>.crt/.key}. */
    public Pair server(String file, TestCertificates.KeyForm form, String... extraNames) {
        return write(ca.server("prometheus", form, extraNames), file, form);
    }

    public Pair client(String file, String commonName, TestCertificates.KeyForm form) {
        return write(ca.client(commonName, form), file, form);
    }

    /** An SSLContext trusting only this CA, with a client certificate of it (kept in memory) when {@code withClientCertificate}. */
    public SSLContext sslContext(boolean withClientCertificate) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        KeyManagerFactory keys = null;
        if (withClientCertificate) {
            TestCertificates.Issued issued = ca.client("test probe", TestCertificates.KeyForm.EC_PKCS8);
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            char[] password = "in-memory".toCharArray();
            own.setKeyEntry("client", issued.keys().getPrivate(), password, issued.chain().toArray(X509Certificate[]::new));
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(own, password);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), RANDOM);
        return context;
    }

    /** A bcrypt hash of the password, as Prometheus' {@code basic_auth_users} wants it (low cost: tests only). */
    public static String bcrypt(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 4);
    }

    private Pair write(TestCertificates.Issued issued, String file, TestCertificates.KeyForm form) {
        Pair pair = new Pair(directory.resolve(file + ".crt"), directory.resolve(file + ".key"));
        issued.write(pair.certificate(), pair.key(), form);
        return pair;
    }
}
