package io.gauntlet.tls;

import java.net.Socket;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * One identity (certificate chain and key from PEM files) for servers and clients, re-read when the files change:
 * every new handshake gets the current certificate, open connections keep theirs. The alias names the generation, so
 * a reload between a handshake's choice of alias and its key lookup still pairs the chosen chain with its own key.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS_PREFIX = "gauntlet-identity-";

    private final ReloadingFiles<CertifiedKey> identity;

    /** Reads both files now ({@link TlsConfigException} when they cannot be used); looks for changes every {@code checkInterval}. */
    public ReloadingKeyManager(Path certFile, Path keyFile, Duration checkInterval) {
        this.identity = new ReloadingFiles<>("TLS certificate " + certFile, checkInterval,
                () -> CertifiedKey.load(certFile, keyFile), certFile, keyFile);
    }

    /** The identity new handshakes get. */
    public CertifiedKey current() {
        return identity.get().value();
    }

    private String aliasFor(String... keyTypes) {
        ReloadingFiles.Version<CertifiedKey> version = identity.get();
        for (int i = 0; keyTypes != null && i < keyTypes.length; i++) {
            if (version.value().keyType().equals(keyTypes[i])) {
                return ALIAS_PREFIX + version.generation();
            }
        }
        return null;
    }

    private CertifiedKey identityOf(String alias) {
        if (alias == null || !alias.startsWith(ALIAS_PREFIX)) {
            return null;
        }
        try {
            return identity.get(Long.parseLong(alias.substring(ALIAS_PREFIX.length()))).value();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    // the one configured certificate is offered whatever CAs the server names, as Go's clients do: a server of another
    // CA then refuses it and says so, instead of a handshake without a certificate
    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return aliasFor(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = aliasFor(keyType);
        return alias == null ? null : new String[] {alias};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return aliasFor(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return aliasFor(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        CertifiedKey chosen = identityOf(alias);
        return chosen == null ? null : chosen.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        CertifiedKey chosen = identityOf(alias);
        return chosen == null ? null : chosen.key();
    }
}
