package io.gauntlet.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate chain with its private key, read from a PEM certificate file and a PEM key file, checked to belong
 * together. {@link #toString()} shows the certificate, never the key.
 */
public record CertifiedKey(List<X509Certificate> chain, PrivateKey key) {
    public CertifiedKey {
        chain = List.copyOf(chain);
    }

    /** Reads both files; a key that does not match the certificate is refused, naming both files. */
    public static CertifiedKey load(Path certFile, Path keyFile) {
        List<X509Certificate> chain = PemFiles.certificates(certFile, "certificate file");
        PrivateKey key = PemFiles.privateKey(keyFile, "key file");
        if (!matches(key, chain.getFirst().getPublicKey())) {
            throw new TlsConfigException("key file " + keyFile + " does not hold the private key of the certificate in " + certFile);
        }
        return new CertifiedKey(chain, key);
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    /** The key algorithm as the JDK's key managers name key types: RSA, EC, Ed25519... */
    public String keyType() {
        return key.getAlgorithm();
    }

    /** A signature made with the key verifies with the certificate's public key: works alike for every algorithm. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // another algorithm, or a key the JDK cannot use: not this certificate's key
        }
    }

    @Override
    public String toString() {
        X509Certificate leaf = leaf();
        return "certificate subject=\"" + leaf.getSubjectX500Principal().getName() + "\" issuer=\""
                + leaf.getIssuerX500Principal().getName() + "\" serial=" + leaf.getSerialNumber().toString(16)
                + " notAfter=" + leaf.getNotAfter().toInstant() + " key=" + key.getAlgorithm();
    }
}
