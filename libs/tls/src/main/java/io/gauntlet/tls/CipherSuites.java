package io.gauntlet.tls;

import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/** Go's cipher suite names (Prometheus' {@code cipher_suites}) as the JDK's: the IANA names, plus Go's short aliases. */
final class CipherSuites {
    /** TLS 1.3's suites, which Go does not let a configuration choose. */
    static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    private static final Map<String, String> GO_ALIASES = Map.of(
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    private CipherSuites() {
    }

    static String jdkName(String goName) {
        String name = GO_ALIASES.getOrDefault(goName.trim(), goName.trim());
        if (!supported().contains(name)) {
            throw new TlsConfigException("tls_server_config.cipher_suites: unknown cipher: " + goName);
        }
        return name;
    }

    private static Set<String> supported() {
        try {
            return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }
}
