package io.gauntlet.tls;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a gRPC client connects, as Thanos' {@code --grpc-client-tls-secure}, {@code -cert}, {@code -key}, {@code -ca},
 * {@code -skip-verify} and {@code --grpc-client-server-name} say: plain text unless secure; the server verified against
 * the CA file (the JDK's default CAs without one) unless skip-verify; a client certificate when cert and key are set,
 * re-read when its files change.
 */
public record GrpcClientTls(boolean secure, Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> caFile,
        Optional<String> serverName, boolean skipVerify, Duration reloadCheckInterval) {
    public static final GrpcClientTls PLAINTEXT = new GrpcClientTls(false, Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), false, ServerTlsSettings.DEFAULT_RELOAD_CHECK_INTERVAL);

    public GrpcClientTls {
        if (certFile.isPresent() != keyFile.isPresent()) {
            throw new TlsConfigException("both the client TLS certificate and key must be set for a client certificate");
        }
    }

    /** From the property values; blank ones count as unset. */
    public static GrpcClientTls of(boolean secure, Optional<String> cert, Optional<String> key, Optional<String> ca,
            Optional<String> serverName, boolean skipVerify) {
        return new GrpcClientTls(secure, path(cert), path(key), path(ca), serverName.map(String::trim).filter(s -> !s.isEmpty()),
                skipVerify, ServerTlsSettings.DEFAULT_RELOAD_CHECK_INTERVAL);
    }

    private static Optional<Path> path(Optional<String> value) {
        return value.map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
    }

    public GrpcClientTls withReloadCheckInterval(Duration interval) {
        return new GrpcClientTls(secure, certFile, keyFile, caFile, serverName, skipVerify, interval);
    }

    /**
     * Channel credentials for {@code Grpc.newChannelBuilder}; reads the files now, so a missing or unusable file fails
     * here ({@link TlsConfigException}) and not at the first call.
     */
    public ChannelCredentials credentials() {
        if (!secure) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
        if (certFile.isPresent()) {
            builder.keyManager(new ReloadingKeyManager(certFile.get(), keyFile.orElseThrow(), reloadCheckInterval));
        }
        if (skipVerify) {
            builder.trustManager(UnverifiedTrustManager.INSTANCE);
        } else if (caFile.isPresent()) {
            builder.trustManager(new ReloadingTrustManager(caFile.get(), reloadCheckInterval));
        }
        return builder.build();
    }

    /** The name the server's certificate must carry (and SNI), when it is not the endpoint's host. */
    public Optional<String> authority() {
        return secure ? serverName : Optional.empty();
    }

    /** One line for the start-up log: which files, never their content. */
    public String describe() {
        if (!secure) {
            return "plain text";
        }
        return "TLS" + certFile.map(f -> ", client certificate " + f).orElse("") + (skipVerify ? ", server not verified"
                : caFile.map(f -> ", CA " + f).orElse(", the JDK's CAs")) + serverName.map(n -> ", server name " + n).orElse("");
    }
}
