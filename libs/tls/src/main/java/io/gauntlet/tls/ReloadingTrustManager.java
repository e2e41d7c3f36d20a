package io.gauntlet.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts the CA certificates of a PEM file (the JDK's PKIX validation: chain, validity, and on clients the host name),
 * re-read when the file changes. A refused certificate's error names its subject and issuer, so that a server log says
 * which client came with which certificate.
 */
public final class ReloadingTrustManager extends X509ExtendedTrustManager {
    private record Anchors(List<X509Certificate> certificates, X509ExtendedTrustManager validator) {
        @Override
        public String toString() {
            return certificates.size() + " CA certificate(s), first subject=\"" + certificates.getFirst().getSubjectX500Principal().getName() + "\"";
        }
    }

    private final ReloadingFiles<Anchors> anchors;

    /** Reads the file now ({@link TlsConfigException} when it cannot be used); looks for changes every {@code checkInterval}. */
    public ReloadingTrustManager(Path caFile, Duration checkInterval) {
        this.anchors = new ReloadingFiles<>("TLS CA file " + caFile, checkInterval, () -> load(caFile), caFile);
    }

    private static Anchors load(Path caFile) {
        List<X509Certificate> certificates = PemFiles.certificates(caFile, "CA file");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager validator) {
                    return new Anchors(certificates, validator);
                }
            }
            throw new TlsConfigException("CA file " + caFile + ": the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new TlsConfigException("CA file " + caFile + ": cannot be used as trust anchors (" + e.getMessage() + ")", e);
        }
    }

    private X509ExtendedTrustManager validator() {
        return anchors.get().value().validator();
    }

    @FunctionalInterface
    private interface Check {
        void run(X509ExtendedTrustManager validator) throws CertificateException;
    }

    /** Runs one of the JDK validator's checks; a refusal names the certificate's subject and issuer. */
    private void check(String side, X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run(validator());
        } catch (CertificateException e) {
            if (chain == null || chain.length == 0) {
                throw e;
            }
            throw new CertificateException(side + " certificate subject=\"" + chain[0].getSubjectX500Principal().getName()
                    + "\" issuer=\"" + chain[0].getIssuerX500Principal().getName() + "\" refused: " + e.getMessage(), e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check("client", chain, validator -> validator.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check("client", chain, validator -> validator.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check("client", chain, validator -> validator.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check("server", chain, validator -> validator.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check("server", chain, validator -> validator.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check("server", chain, validator -> validator.checkServerTrusted(chain, authType));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return validator().getAcceptedIssuers();
    }
}
