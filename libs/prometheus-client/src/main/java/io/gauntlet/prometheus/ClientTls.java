package io.gauntlet.prometheus;

import io.gauntlet.tls.ReloadingKeyManager;
import io.gauntlet.tls.ReloadingTrustManager;
import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TlsConfigException;
import io.gauntlet.tls.UnverifiedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * The client side of TLS from a {@link HttpClientConfig.TlsConfig}, as Go's {@code crypto/tls} applies it in Prometheus'
 * and Thanos' clients, on the JDK's TLS with libs/tls' managers: {@code ca_file} replaces the system roots,
 * {@code server_name} is both the SNI and the name the certificate must carry (else the URL's host),
 * {@code insecure_skip_verify} checks neither chain nor name, and {@code cert_file}/{@code key_file} are the client
 * certificate (PEM, any key form). Changed files are read again, so a rotated certificate is used from the next
 * handshake on.
 */
final class ClientTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final HttpClientConfig.TlsConfig config;
    private final String peerHost;
    private final SSLContext context;

    /**
     * Reads the files now, so that a bad certificate or key fails at start with its reason.
     *
     * @param urlHost the host of Prometheus' URL (verified and sent as SNI unless {@code server_name} says otherwise)
     * @throws IllegalArgumentException naming the file and the problem
     */
    ClientTls(HttpClientConfig.TlsConfig config, String urlHost) {
        this.config = config;
        this.peerHost = config.serverName().isEmpty() ? urlHost : config.serverName();
        try {
            KeyManager[] keys = config.certFile() == null ? null
                    : new KeyManager[] {new ReloadingKeyManager(config.certFile(), config.keyFile(), ServerTlsSettings.DEFAULT_RELOAD_CHECK_INTERVAL)};
            TrustManager[] trust = config.insecureSkipVerify() ? new TrustManager[] {UnverifiedTrustManager.INSTANCE}
                    : config.caFile() == null ? null // the JVM's trust store
                    : new TrustManager[] {new ReloadingTrustManager(config.caFile(), ServerTlsSettings.DEFAULT_RELOAD_CHECK_INTERVAL)};
            this.context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
        } catch (TlsConfigException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_config: " + e.getMessage(), e);
        }
    }

    /** The context for clients that make their own sockets (the JDK's HttpClient), which verify the URL's host. */
    SSLContext context() {
        return context;
    }

    /** TLS over a connected socket; the caller starts the handshake. */
    SSLSocket wrap(Socket socket, int port) throws IOException {
        SSLSocket secure = (SSLSocket) context.getSocketFactory().createSocket(socket, peerHost, port, true);
        SSLParameters parameters = secure.getSSLParameters();
        parameters.setProtocols(PROTOCOLS);
        if (!config.insecureSkipVerify()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        secure.setSSLParameters(parameters);
        return secure;
    }
}
