package io.gauntlet.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A TLS server's settings as Thanos' {@code --grpc-server-tls-cert}, {@code -key}, {@code -client-ca} and
 * {@code -min-version} give them: a client CA makes client certificates required and verified.
 */
public record ServerTlsSettings(Path certFile, Path keyFile, Optional<Path> clientCaFile, String minVersion, Duration reloadCheckInterval) {
    /** How often the files are looked at, at most (and only when a handshake needs them). */
    public static final Duration DEFAULT_RELOAD_CHECK_INTERVAL = Duration.ofSeconds(5);

    public ServerTlsSettings {
        minVersion = TlsVersions.protocol(minVersion, "server TLS minimum version");
    }

    /**
     * The settings, or empty for plain text when neither certificate nor key is set; Thanos' rules otherwise: both or
     * neither, and a client CA only with them. {@code prefix} names the properties in errors.
     */
    public static Optional<ServerTlsSettings> of(Optional<String> cert, Optional<String> key, Optional<String> clientCa,
            String minVersion, String prefix) {
        Optional<String> certFile = cert.map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> keyFile = key.map(String::trim).filter(s -> !s.isEmpty());
        Optional<String> caFile = clientCa.map(String::trim).filter(s -> !s.isEmpty());
        if (certFile.isEmpty() && keyFile.isEmpty()) {
            if (caFile.isPresent()) {
                throw new TlsConfigException(prefix + "client-ca is set without " + prefix + "cert and " + prefix + "key: client certificates need TLS");
            }
            return Optional.empty();
        }
        if (certFile.isEmpty() || keyFile.isEmpty()) {
            throw new TlsConfigException("both " + prefix + "cert and " + prefix + "key must be set for TLS");
        }
        return Optional.of(new ServerTlsSettings(Path.of(certFile.get()), Path.of(keyFile.get()), caFile.map(Path::of), minVersion,
                DEFAULT_RELOAD_CHECK_INTERVAL));
    }

    public ServerTlsSettings withReloadCheckInterval(Duration interval) {
        return new ServerTlsSettings(certFile, keyFile, clientCaFile, minVersion, interval);
    }

    /** The server's certificate, re-read when its files change; throws {@link TlsConfigException} when they cannot be used. */
    public ReloadingKeyManager keyManager() {
        return new ReloadingKeyManager(certFile, keyFile, reloadCheckInterval);
    }

    /** The CAs client certificates must come from, when client certificates are required. */
    public Optional<ReloadingTrustManager> clientTrustManager() {
        return clientCaFile.map(file -> new ReloadingTrustManager(file, reloadCheckInterval));
    }

    /** One line for the start-up log: versions and files, never their content. */
    public String describe() {
        return "TLS " + String.join("/", protocols()) + ", certificate " + certFile
                + clientCaFile.map(ca -> ", client certificates required from the CAs in " + ca).orElse("");
    }

    /** The protocol versions to enable, newest first. */
    public List<String> protocols() {
        return TlsVersions.range(minVersion, "TLSv1.3", "server TLS minimum version");
    }
}
