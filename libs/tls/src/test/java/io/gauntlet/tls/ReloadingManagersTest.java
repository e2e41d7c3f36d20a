package io.gauntlet.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tls.TestCertificates.KeyForm;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key and trust managers in real JDK handshakes: mutual TLS, refusals, and files replaced under a running server. */
class ReloadingManagersTest {
    private static final TestCertificates CA = TestCertificates.newCa("managers-test-ca");
    private static final TestCertificates OTHER_CA = TestCertificates.newCa("another-ca");

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void mutualTlsWorksAndANewHandshakeGetsTheReplacedCertificate() throws Exception {
        CA.server("server-one", KeyForm.RSA_PKCS1).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.RSA_PKCS1);
        CA.client("querier", KeyForm.EC_SEC1).write(dir.resolve("client.crt"), dir.resolve("client.key"), KeyForm.EC_SEC1);
        Path ca = CA.writeCa(dir.resolve("ca.crt"));
        ReloadingKeyManager serverKeys = new ReloadingKeyManager(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);
        ReloadingTrustManager clientCas = new ReloadingTrustManager(ca, Duration.ZERO);
        ReloadingKeyManager clientKeys = new ReloadingKeyManager(dir.resolve("client.crt"), dir.resolve("client.key"), Duration.ZERO);
        ReloadingTrustManager serverCas = new ReloadingTrustManager(ca, Duration.ZERO);

        assertThat(handshake(serverKeys, clientCas, clientKeys, serverCas)).isEqualTo("CN=server-one,O=Gauntlet test");

        // cert-manager renews: both files replaced (a new key too, in another encoding)
        CA.server("server-two", KeyForm.EC_PKCS8).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.EC_PKCS8);
        assertThat(handshake(serverKeys, clientCas, clientKeys, serverCas)).isEqualTo("CN=server-two,O=Gauntlet test");
    }

    @Test
    void aHalfWrittenRotationKeepsThePreviousCertificateUntilBothFilesAgree() throws Exception {
        CA.server("first", KeyForm.EC_PKCS8).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.EC_PKCS8);
        ReloadingKeyManager keys = new ReloadingKeyManager(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);
        TestCertificates.Issued second = CA.server("second", KeyForm.EC_PKCS8);
        second.write(dir.resolve("tls.crt"), dir.resolve("half.key"), KeyForm.EC_PKCS8); // the certificate only

        assertThat(keys.current().leaf().getSubjectX500Principal().getName()).startsWith("CN=first");
        String alias = keys.chooseEngineServerAlias("EC", null, null);
        assertThat(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName()).startsWith("CN=first");

        Files.move(dir.resolve("half.key"), dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(keys.current().leaf()).isEqualTo(second.certificate());
        // a handshake that chose its alias before the reload still gets the key of the chain it chose
        assertThat(keys.getCertificateChain(alias)[0].getSubjectX500Principal().getName()).startsWith("CN=first");
        assertThat(keys.getPrivateKey(alias).getEncoded()).isNotEqualTo(second.keys().getPrivate().getEncoded());
    }

    @Test
    void aKeyTypeTheHandshakeCannotUseIsNotOffered() {
        CA.server("ec", KeyForm.EC_SEC1).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.EC_SEC1);
        ReloadingKeyManager keys = new ReloadingKeyManager(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);
        assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null)).isNotNull();
    }

    @Test
    void certificatesOfAnotherCaOrExpiredOnesAreRefusedNamingTheCertificate() throws Exception {
        CA.server("server", KeyForm.EC_PKCS8).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.EC_PKCS8);
        Path ca = CA.writeCa(dir.resolve("ca.crt"));
        ReloadingKeyManager serverKeys = new ReloadingKeyManager(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);
        ReloadingTrustManager serverCas = new ReloadingTrustManager(ca, Duration.ZERO);

        OTHER_CA.client("intruder", KeyForm.EC_PKCS8).write(dir.resolve("other.crt"), dir.resolve("other.key"), KeyForm.EC_PKCS8);
        ReloadingKeyManager intruder = new ReloadingKeyManager(dir.resolve("other.crt"), dir.resolve("other.key"), Duration.ZERO);
        assertThatThrownBy(() -> handshake(serverKeys, new ReloadingTrustManager(ca, Duration.ZERO), intruder, serverCas))
                .satisfies(e -> assertThat(HandshakeFailureLog.reason(serverFailure)).isEqualTo(HandshakeFailureLog.Reason.UNTRUSTED_CERTIFICATE))
                .satisfies(e -> assertThat(chainMessages(serverFailure)).contains("client certificate subject=\"CN=intruder,O=Gauntlet test\""));

        CA.expiredClient("late", KeyForm.EC_PKCS8).write(dir.resolve("late.crt"), dir.resolve("late.key"), KeyForm.EC_PKCS8);
        ReloadingKeyManager late = new ReloadingKeyManager(dir.resolve("late.crt"), dir.resolve("late.key"), Duration.ZERO);
        assertThatThrownBy(() -> handshake(serverKeys, new ReloadingTrustManager(ca, Duration.ZERO), late, serverCas))
                .satisfies(e -> assertThat(HandshakeFailureLog.reason(serverFailure)).isEqualTo(HandshakeFailureLog.Reason.EXPIRED_CERTIFICATE));

        assertThatThrownBy(() -> handshake(serverKeys, new ReloadingTrustManager(ca, Duration.ZERO), null, serverCas))
                .satisfies(e -> assertThat(HandshakeFailureLog.reason(serverFailure)).isEqualTo(HandshakeFailureLog.Reason.NO_CLIENT_CERTIFICATE));
    }

    @Test
    void theClientChecksTheServersNameUnlessToldToSkipVerification() throws Exception {
        CA.issue("elsewhere", KeyForm.EC_PKCS8, java.util.List.of("store.example"), java.time.Instant.now().minusSeconds(60),
                java.time.Instant.now().plusSeconds(3600), true, false).write(dir.resolve("tls.crt"), dir.resolve("tls.key"), KeyForm.EC_PKCS8);
        Path ca = CA.writeCa(dir.resolve("ca.crt"));
        ReloadingKeyManager serverKeys = new ReloadingKeyManager(dir.resolve("tls.crt"), dir.resolve("tls.key"), Duration.ZERO);

        assertThatThrownBy(() -> handshake(serverKeys, new ReloadingTrustManager(ca, Duration.ZERO), null, null))
                .isInstanceOf(SSLHandshakeException.class).hasMessageContaining("matching IP address 127.0.0.1");
        assertThat(handshake(serverKeys, UnverifiedTrustManager.INSTANCE, null, null)).startsWith("CN=elsewhere");
    }

    private volatile Throwable serverFailure;

    /** One TLS handshake over loopback; returns the server certificate's subject the client saw. */
    private String handshake(ReloadingKeyManager serverKeys, TrustManager clientTrust, ReloadingKeyManager clientKeys,
            ReloadingTrustManager serverTrust) throws Exception {
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(new KeyManager[] {serverKeys}, serverTrust == null ? null : new TrustManager[] {serverTrust}, null);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(clientKeys == null ? null : new KeyManager[] {clientKeys}, new TrustManager[] {clientTrust}, null);
        serverFailure = null;
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setNeedClientAuth(serverTrust != null);
            Future<?> accepted = executor.submit(() -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                    socket.startHandshake();
                    socket.getOutputStream().write(1);
                    socket.getInputStream().read();
                } catch (IOException e) {
                    serverFailure = e;
                }
                return null;
            });
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", listener.getLocalPort())) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                // TLS 1.3: the server judges the client's certificate after the client's handshake is done
                socket.getInputStream().read();
                socket.getOutputStream().write(1);
                X509Certificate seen = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                accepted.get(10, TimeUnit.SECONDS);
                if (serverFailure != null) {
                    throw new SSLHandshakeException("server refused: " + serverFailure.getMessage());
                }
                return seen.getSubjectX500Principal().getName();
            } finally {
                accepted.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String chainMessages(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }
}
