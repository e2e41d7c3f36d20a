package io.gauntlet.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made at test time with BouncyCastle, and certificates it issues, written as PEM files the way
 * OpenSSL and cert-manager write them. Nothing here is ever committed: every key exists only for one test run.
 */
public final class TestCertificates {
    /** Key algorithms and the PEM form their private key is written in. */
    public enum KeyForm {
        RSA_PKCS8, RSA_PKCS1, EC_PKCS8, EC_SEC1, ED25519_PKCS8
    }

    /** A certificate with its key pair. */
    public record Issued(X509Certificate certificate, KeyPair keys, List<X509Certificate> chain) {
        /** Writes the certificate chain (leaf first) and the key as PEM, each file replaced atomically as the kubelet does. */
        public void write(Path certFile, Path keyFile, KeyForm form) {
            writeAtomically(certFile, pem(chain.toArray()));
            writeAtomically(keyFile, switch (form) {
                case RSA_PKCS1 -> pem(keys.getPrivate()); // BouncyCastle writes RSA keys in PKCS#1
                case EC_SEC1 -> sec1(keys);
                default -> pem(pkcs8(keys));
            });
        }
    }

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Issued ca;
    private final String name;

    private TestCertificates(String name, Issued ca) {
        this.name = name;
        this.ca = ca;
    }

    /** A new self-signed CA (EC P-256) valid for a day. */
    public static TestCertificates newCa(String name) {
        KeyPair keys = keyPair(KeyForm.EC_PKCS8);
        X500Name subject = new X500Name("O=Gauntlet test,CN=" + name);
        X509Certificate certificate = sign(subject, keys, subject, keys, Instant.now().minus(Duration.ofMinutes(5)),
                Instant.now().plus(Duration.ofDays(1)), true, List.of(), false, false);
        return new TestCertificates(name, new Issued(certificate, keys, List.of(certificate)));
    }

    public X509Certificate certificate() {
        return ca.certificate();
    }

    public String name() {
        return name;
    }

    /** Writes the CA certificate as PEM. */
    public Path writeCa(Path file) {
        writeAtomically(file, pem(ca.certificate()));
        return file;
    }

    /** A server certificate for 127.0.0.1 and localhost (and {@code extraNames}), valid for a day. */
    public Issued server(String commonName, KeyForm form, String... extraNames) {
        List<String> names = new ArrayList<>(List.of("127.0.0.1", "localhost"));
        names.addAll(List.of(extraNames));
        return issue(commonName, form, names, Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1)), true, false);
    }

    /** A client certificate, valid for a day. */
    public Issued client(String commonName, KeyForm form) {
        return issue(commonName, form, List.of(), Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(Duration.ofDays(1)), false, true);
    }

    /** A client certificate that expired an hour ago. */
    public Issued expiredClient(String commonName, KeyForm form) {
        return issue(commonName, form, List.of(), Instant.now().minus(Duration.ofDays(2)), Instant.now().minus(Duration.ofHours(1)), false, true);
    }

    public Issued issue(String commonName, KeyForm form, List<String> names, Instant notBefore, Instant notAfter, boolean server, boolean client) {
        KeyPair keys = keyPair(form);
        X509Certificate certificate = sign(new X500Name("O=Gauntlet test,CN=" + commonName), keys,
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), ca.keys(), notBefore, notAfter, false, names, server, client);
        return new Issued(certificate, keys, List.of(certificate, ca.certificate()));
    }

    private static KeyPair keyPair(KeyForm form) {
        try {
            KeyPairGenerator generator;
            switch (form) {
                case RSA_PKCS1, RSA_PKCS8 -> {
                    generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048);
                }
                case EC_SEC1, EC_PKCS8 -> {
                    generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                }
                default -> generator = KeyPairGenerator.getInstance("Ed25519");
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys, Instant notBefore,
            Instant notAfter, boolean isCa, List<String> names, boolean server, boolean client) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (isCa) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                List<KeyPurposeId> purposes = new ArrayList<>();
                if (server) {
                    purposes.add(KeyPurposeId.id_kp_serverAuth);
                }
                if (client) {
                    purposes.add(KeyPurposeId.id_kp_clientAuth);
                }
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(KeyPurposeId[]::new)));
            }
            if (!names.isEmpty()) {
                List<GeneralName> alternatives = new ArrayList<>();
                for (String name : names) {
                    alternatives.add(Character.isDigit(name.charAt(0))
                            ? new GeneralName(GeneralName.iPAddress, InetAddress.getByName(name).getHostAddress())
                            : new GeneralName(GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternatives.toArray(GeneralName[]::new)));
            }
            String algorithm = switch (issuerKeys.getPrivate().getAlgorithm()) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                default -> "Ed25519";
            };
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKeys.getPrivate())));
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JcaPKCS8Generator pkcs8(KeyPair keys) {
        try {
            return new JcaPKCS8Generator(keys.getPrivate(), null);
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SEC1 as OpenSSL writes it: the curve and the public key inside the structure. */
    private static String sec1(KeyPair keys) {
        try {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            org.bouncycastle.asn1.sec.ECPrivateKey full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                    SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(),
                    info.getPrivateKeyAlgorithm().getParameters());
            StringWriter out = new StringWriter();
            try (PemWriter writer = new PemWriter(out)) {
                writer.writeObject(new PemObject("EC PRIVATE KEY", full.getEncoded()));
            }
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeAtomically(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".write", ".tmp");
            Files.writeString(temporary, content);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
