package io.gauntlet.tls;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM files as Go's {@code tls.X509KeyPair} accepts them: certificate chains, and private keys in PKCS#8, PKCS#1
 * (RSA) or SEC1 (EC) form, read by BouncyCastle; the keys become JDK keys (RSA, EC, Ed25519). Errors name
 * the file and what is wrong with it, never its content.
 */
public final class PemFiles {
    private static final JcaX509CertificateConverter CERTIFICATES = new JcaX509CertificateConverter();

    private PemFiles() {
    }

    /** Every certificate of the file, in file order (a chain: leaf first). */
    public static List<X509Certificate> certificates(Path file, String what) {
        List<X509Certificate> out = new ArrayList<>();
        for (Object object : objects(file, what)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    out.add(CERTIFICATES.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsConfigException(what + " " + file + ": a certificate cannot be read (" + e.getMessage() + ")");
                }
            }
        }
        if (out.isEmpty()) {
            throw new TlsConfigException(what + " " + file + " holds no PEM certificate");
        }
        return out;
    }

    /** The one private key of the file (the first one; other PEM blocks such as EC parameters are skipped). */
    public static PrivateKey privateKey(Path file, String what) {
        for (Object object : objects(file, what)) {
            PrivateKeyInfo info = object instanceof PrivateKeyInfo pkcs8 ? pkcs8 : object instanceof PEMKeyPair pair ? pair.getPrivateKeyInfo() : null;
            if (info != null) {
                return jdkKey(info, file, what);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
                throw new TlsConfigException(what + " " + file + ": the private key is encrypted; give it unencrypted, as Thanos and Prometheus need it");
            }
        }
        throw new TlsConfigException(what + " " + file + " holds no PEM private key");
    }

    /** BouncyCastle read the PKCS#1/SEC1/PKCS#8 structure; the JDK's own providers make the key, so TLS uses it natively. */
    private static PrivateKey jdkKey(PrivateKeyInfo info, Path file, String what) {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = oid.equals(PKCSObjectIdentifiers.rsaEncryption) ? "RSA"
                : oid.equals(X9ObjectIdentifiers.id_ecPublicKey) ? "EC"
                : oid.equals(EdECObjectIdentifiers.id_Ed25519) ? "Ed25519"
                : oid.equals(EdECObjectIdentifiers.id_Ed448) ? "Ed448" : null;
        if (algorithm == null) {
            throw new TlsConfigException(what + " " + file + ": unsupported private key algorithm " + oid.getId() + " (RSA, ECDSA or Ed25519 keys)");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsConfigException(what + " " + file + ": the " + algorithm + " private key cannot be used (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static List<Object> objects(Path file, String what) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsConfigException(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw new TlsConfigException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
        List<Object> out = new ArrayList<>();
        try (Reader reader = new java.io.StringReader(new String(content, StandardCharsets.US_ASCII));
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                out.add(object);
            }
        } catch (IOException | RuntimeException e) {
            // BouncyCastle's messages describe the structure, never the bytes
            throw new TlsConfigException(what + " " + file + " is not valid PEM (" + e.getMessage() + ")");
        }
        return out;
    }
}
