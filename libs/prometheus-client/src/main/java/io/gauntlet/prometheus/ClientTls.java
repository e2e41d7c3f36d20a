package io.gauntlet.prometheus;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The client side of TLS from a {@link HttpClientConfig.TlsConfig}, as Go's {@code crypto/tls} applies it in Prometheus'
 * and Thanos' clients, on the JDK's TLS: {@code ca_file} replaces the system roots, {@code server_name} is both the SNI
 * and the name the certificate must carry (else the URL's host), {@code insecure_skip_verify} checks neither chain nor
 * name, and {@code cert_file}/{@code key_file} are the client certificate (PEM; PKCS#8, PKCS#1 and SEC1 EC keys, read
 * with BouncyCastle's PEM parser). The files are read again when one of them changed, so a rotated certificate is used
 * from the next connection on.
 */
final class ClientTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final HttpClientConfig.TlsConfig config;
    private final String peerHost;
    private List<Object> filesSeen = List.of();
    private SSLContext context;

    /** @param urlHost the host of Prometheus' URL (verified and sent as SNI unless {@code server_name} says otherwise) */
    ClientTls(HttpClientConfig.TlsConfig config, String urlHost) {
        this.config = config;
        this.peerHost = config.serverName().isEmpty() ? urlHost : config.serverName();
    }

    /** Reads the files now, so that a bad certificate or key fails at start with its reason. */
    void load() throws SSLException {
        context();
    }

    /** TLS over a connected socket, with the current certificates; the caller starts the handshake. */
    SSLSocket wrap(Socket socket, int port) throws IOException {
        SSLSocket secure = (SSLSocket) context().getSocketFactory().createSocket(socket, peerHost, port, true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        if (!config.insecureSkipVerify()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        secure.setSSLParameters(parameters);
        return secure;
    }

    private synchronized SSLContext context() throws SSLException {
        List<Object> seen = fileVersions();
        if (context != null && seen.equals(filesSeen)) {
            return context;
        }
        try {
            TrustManager[] trust = null; // the JVM's trust store
            if (config.insecureSkipVerify()) {
                trust = InsecureTrustManagerFactory.INSTANCE.getTrustManagers();
            } else if (config.caFile() != null) {
                KeyStore roots = KeyStore.getInstance("PKCS12");
                roots.load(null, null);
                int i = 0;
                for (X509Certificate ca : certificates(config.caFile())) {
                    roots.setCertificateEntry("ca-" + i++, ca);
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(roots);
                trust = factory.getTrustManagers();
            }
            KeyManagerFactory keys = null;
            if (config.certFile() != null) {
                KeyStore own = KeyStore.getInstance("PKCS12");
                own.load(null, null);
                char[] password = new char[0];
                own.setKeyEntry("client", privateKey(config.keyFile()), password, certificates(config.certFile()));
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(own, password);
            }
            SSLContext built = SSLContext.getInstance("TLS");
            built.init(keys == null ? null : keys.getKeyManagers(), trust, null);
            context = built;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new SSLException("tls_config: cannot load " + describeFiles() + ": " + NettyHttpClient.message(e), e);
        }
        filesSeen = seen;
        return context;
    }

    /** A PEM private key: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted, as Go's {@code tls.X509KeyPair} reads them. */
    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        try (PEMParser parser = new PEMParser(Files.newBufferedReader(file, StandardCharsets.US_ASCII))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (object instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 keys may omit the public part
                }
                if (object instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                    throw new GeneralSecurityException("the key is encrypted (Prometheus and Thanos read only unencrypted keys)");
                }
            }
        }
        throw new GeneralSecurityException("no PEM private key in " + file);
    }

    private static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                chain.add((X509Certificate) certificate);
            }
        }
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate in " + file);
        }
        return chain.toArray(X509Certificate[]::new);
    }

    /** Size and modification time of each configured file (missing files too), to notice a rotation. */
    private List<Object> fileVersions() {
        List<Object> versions = new ArrayList<>(6);
        for (Path file : new Path[] {config.caFile(), config.certFile(), config.keyFile()}) {
            if (file == null) {
                versions.add(null);
                continue;
            }
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                versions.add(attributes.lastModifiedTime());
                versions.add(attributes.size());
            } catch (IOException e) {
                versions.add(Objects.toString(e.getMessage()));
            }
        }
        return versions;
    }

    private String describeFiles() {
        List<String> files = new ArrayList<>();
        if (config.caFile() != null) {
            files.add("ca_file " + config.caFile());
        }
        if (config.certFile() != null) {
            files.add("cert_file " + config.certFile() + " and key_file " + config.keyFile());
        }
        return files.isEmpty() ? "the JVM's trust store" : String.join(", ", files);
    }
}
