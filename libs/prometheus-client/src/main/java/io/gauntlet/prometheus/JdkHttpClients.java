package io.gauntlet.prometheus;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLParameters;

/**
 * A JDK {@link HttpClient} set up from Thanos' http client config, for the Gauntlet services that call another one's
 * HTTP API (the query frontend and the ruler calling the querier): {@code tls_config} as {@link ClientTls} applies it
 * (CA, client certificate, skip verify; files re-read when they change) and the config's credentials as the value of
 * every request's {@code Authorization} header. The JDK client verifies the URL's host, so {@code server_name} is refused:
 * reach the server by a name its certificate carries.
 */
public final class JdkHttpClients {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /** The client's builder (to add to) and its credentials; {@code authorization} answers null when the config has none. */
    public record Configured(HttpClient.Builder builder, Callable<String> authorization) {
    }

    private JdkHttpClients() {
    }

    /**
     * @throws IllegalArgumentException naming the setting or file that is wrong (never a secret)
     */
    public static Configured of(HttpClientConfig config, Duration connectTimeout) {
        if (!config.tls().serverName().isEmpty()) {
            throw new IllegalArgumentException("tls_config.server_name is not supported here: the URL's host is verified,"
                    + " so use a host name the server's certificate carries");
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (!config.tls().equals(HttpClientConfig.TlsConfig.NONE)) {
            builder.sslContext(new ClientTls(config.tls(), "").context());
            SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(PROTOCOLS);
            builder.sslParameters(parameters);
        }
        RequestCredentials credentials = new RequestCredentials(config);
        return new Configured(builder, credentials::authorization);
    }
}
