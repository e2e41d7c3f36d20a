package io.gauntlet.tls;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts any certificate and any host name: Thanos' {@code --grpc-client-tls-skip-verify}, Prometheus'
 * {@code insecure_skip_verify}, and a web config's client_auth_type that asks for a client certificate without
 * verifying it. The connection is encrypted but the peer is not authenticated.
 */
public final class UnverifiedTrustManager extends X509ExtendedTrustManager {
    public static final UnverifiedTrustManager INSTANCE = new UnverifiedTrustManager();

    private UnverifiedTrustManager() {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
