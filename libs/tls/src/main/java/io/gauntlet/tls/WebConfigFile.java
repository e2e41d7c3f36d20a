package io.gauntlet.tls;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A running server's view of its web config file: TLS material that follows its files (certificate, key, client CAs)
 * and users and headers that follow the config file, as Prometheus re-reads them; the other TLS settings (versions,
 * ciphers, client auth type) are those read at start. A change that cannot be used keeps what was there.
 */
public final class WebConfigFile {
    /** HTTP basic credentials as a request carries them. */
    public record Credentials(String user, String password) {
        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }

    private record Access(WebConfig config, BasicAuthenticator authenticator) {
        @Override
        public String toString() {
            return authenticator + ", " + config.headers().size() + " header(s)";
        }
    }

    private final Path file;
    private final WebConfig initial;
    private final ReloadingFiles<Access> access;
    private final ReloadingKeyManager keyManager;
    private final X509ExtendedTrustManager clientTrustManager;

    /** Reads and checks the file and every file it names now; any problem is a {@link TlsConfigException} naming it. */
    public WebConfigFile(Path file, Duration checkInterval) {
        this.file = file;
        this.access = new ReloadingFiles<>("web config file " + file, checkInterval, () -> access(file), file);
        this.initial = access.get().value().config();
        Optional<WebConfig.TlsServer> tls = initial.tls();
        this.keyManager = tls.map(t -> new ReloadingKeyManager(t.certFile(), t.keyFile(), checkInterval)).orElse(null);
        this.clientTrustManager = tls.map(t -> clientTrust(t, checkInterval)).orElse(null);
    }

    private static Access access(Path file) {
        WebConfig config = WebConfig.load(file);
        return new Access(config, new BasicAuthenticator(config.users()));
    }

    private static X509ExtendedTrustManager clientTrust(WebConfig.TlsServer tls, Duration checkInterval) {
        if (!tls.clientAuth().verified()) {
            return UnverifiedTrustManager.INSTANCE; // RequestClientCert, RequireAnyClientCert: asked for, not checked
        }
        if (tls.clientCaFile().isPresent()) {
            return new ReloadingTrustManager(tls.clientCaFile().get(), checkInterval);
        }
        try {
            // no client_ca_file: the JDK's CAs, as Go verifies against the system's
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((java.security.KeyStore) null);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager extended) {
                    return extended;
                }
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new TlsConfigException("the JDK's default CAs cannot be read: " + e.getMessage(), e);
        }
        throw new TlsConfigException("the JDK offers no X.509 trust manager");
    }

    public Path file() {
        return file;
    }

    /** TLS settings as read at start; empty: plain HTTP. */
    public Optional<WebConfig.TlsServer> tls() {
        return initial.tls();
    }

    /** Whether HTTP/2 is offered over TLS ({@code http_server_config.http2}). */
    public boolean http2() {
        return initial.http2();
    }

    /** The server certificate, following its files. */
    public ReloadingKeyManager keyManager() {
        return keyManager;
    }

    /** How client certificates are checked (when the client auth type asks for them). */
    public X509ExtendedTrustManager clientTrustManager() {
        return clientTrustManager;
    }

    /** Response headers to add to every answer. */
    public Map<String, String> headers() {
        return access.get().value().config().headers();
    }

    /** Whether requests need credentials (the file names users). */
    public boolean authenticationRequired() {
        return access.get().value().authenticator().enabled();
    }

    /** Whether these credentials were accepted lately: true answers without a bcrypt (for a server's event loop). */
    public boolean remembered(Credentials credentials) {
        return credentials != null && access.get().value().authenticator().remembered(credentials.user(), credentials.password());
    }

    /** Whether the credentials are a configured user's: may cost a bcrypt, so not on an event loop. */
    public boolean authenticate(Credentials credentials) {
        return credentials != null && access.get().value().authenticator().authenticate(credentials.user(), credentials.password());
    }

    /** The credentials of an {@code Authorization: Basic …} header, as Go's {@code Request.BasicAuth}; null when there are none. */
    public static Credentials basicCredentials(String authorization) {
        if (authorization == null || authorization.length() < 6 || !authorization.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    /** One line for the start-up log: what is on, which files; never users' hashes or key material. */
    public String describe() {
        StringBuilder out = new StringBuilder("web config file ").append(file).append(": ");
        if (initial.tls().isPresent()) {
            WebConfig.TlsServer tls = initial.tls().get();
            out.append("TLS ").append(String.join("/", tls.protocols())).append(", certificate ").append(tls.certFile())
                    .append(tls.clientAuth() == WebConfig.ClientAuth.NO_CLIENT_CERT ? ", no client certificates"
                            : ", client certificates: " + tls.clientAuth().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append(tls.clientCaFile().map(ca -> " (CAs " + ca + ")").orElse(""));
        } else {
            out.append("no TLS");
        }
        return out.append(", ").append(access.get().value().authenticator()).toString();
    }
}
