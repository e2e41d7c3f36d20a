package io.gauntlet.prometheus;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The client side of TLS from a {@link HttpClientConfig.TlsConfig}, as Go's {@code crypto/tls} applies it in Prometheus'
 * and Thanos' clients: {@code ca_file} replaces the system roots, {@code server_name} is both the SNI and the name the
 * certificate must carry (else the URL's host), {@code insecure_skip_verify} checks neither chain nor name, and
 * {@code cert_file}/{@code key_file} are the client certificate (PEM; PKCS#8, PKCS#1 and SEC1 EC keys, read with
 * BouncyCastle's PEM parser). The files are read
 * again when one of them changed, so a rotated certificate is used from the next connection on.
 */
final class ClientTls {
    private final HttpClientConfig.TlsConfig config;
    private final String peerHost;
    private final int peerPort;
    private List<Object> filesSeen = List.of();
    private SslContext context;

    /** @param urlHost the host of Prometheus' URL (verified and sent as SNI unless {@code server_name} says otherwise) */
    ClientTls(HttpClientConfig.TlsConfig config, String urlHost, int port) {
        this.config = config;
        this.peerHost = config.serverName().isEmpty() ? urlHost : config.serverName();
        this.peerPort = port;
    }

    /** Checks the files now, so that a bad certificate or key fails at start with its reason. */
    void load() throws SSLException {
        context();
    }

    /** A handler for one new connection, with the current certificates. */
    SslHandler newHandler(ByteBufAllocator allocator, long handshakeTimeoutMillis) throws SSLException {
        SslHandler handler = context().newHandler(allocator, peerHost, peerPort);
        SSLEngine engine = handler.engine();
        if (!config.insecureSkipVerify()) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
        }
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        return handler;
    }

    private synchronized SslContext context() throws SSLException {
        List<Object> seen = fileVersions();
        if (context != null && seen.equals(filesSeen)) {
            return context;
        }
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2");
        try {
            if (config.insecureSkipVerify()) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (config.caFile() != null) {
                builder.trustManager(config.caFile().toFile());
            }
            if (config.certFile() != null) {
                builder.keyManager(privateKey(config.keyFile()), certificates(config.certFile()));
            }
            context = builder.build();
        } catch (IllegalArgumentException | IOException | GeneralSecurityException e) {
            throw new SSLException("tls_config: cannot load " + describeFiles() + ": " + rootMessage(e), e);
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
        throw new GeneralSecurityException("no PEM private key found");
    }

    private static X509Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(file)) {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new GeneralSecurityException("no PEM certificate found");
            }
            return chain;
        }
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
        return String.join(", ", files);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null ? root.getClass().getSimpleName() : message;
    }
}
