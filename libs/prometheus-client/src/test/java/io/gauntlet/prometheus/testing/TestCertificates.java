package io.gauntlet.prometheus.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * A certificate authority made at test time (nothing is committed) and the PEM files a test needs: a server
 * certificate for {@code localhost} and {@code 127.0.0.1}, client certificates, keys in PKCS#8, PKCS#1 (RSA) or SEC1
 * (EC) form, and bcrypt hashes for Prometheus' web config.
 */
public final class TestCertificates {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** How a private key is written. */
    public enum KeyFormat { PKCS8_EC, SEC1_EC, PKCS1_RSA, PKCS8_RSA }

    /** A certificate and its key on disk. */
    public record Pair(Path certificate, Path key) {
    }

    private final Path directory;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final Path caFile;

    private TestCertificates(Path directory, String name, KeyPair caKeys, X509Certificate ca, Path caFile) {
        this.directory = directory;
        this.name = name;
        this.caKeys = caKeys;
        this.ca = ca;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}, its certificate written to {@code <directory>/<name>-ca.crt}. */
    public static TestCertificates authority(Path directory, String name) throws IOException, GeneralSecurityException {
        Files.createDirectories(directory);
        KeyPair keys = ecKeys();
        X500Name subject = new X500Name("CN=" + name + " test CA");
        X509v3CertificateBuilder builder = builder(subject, subject, keys, Duration.ofDays(2));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
        X509Certificate certificate = sign(builder, keys.getPrivate());
        Path file = directory.resolve(name + "-ca.crt");
        Files.writeString(file, pem(certificate));
        return new TestCertificates(directory, name, keys, certificate, file);
    }

    public Path caFile() {
        return caFile;
    }

    /** A server certificate for {@code localhost}, {@code 127.0.0.1} and {@code extraDnsName} (may be null). */
    public Pair server(String file, String extraDnsName, KeyFormat format) throws IOException, GeneralSecurityException {
        GeneralName[] names = extraDnsName == null
                ? new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}
                : new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, extraDnsName)};
        return leaf(file, "CN=localhost", new GeneralNames(names), KeyPurposeId.id_kp_serverAuth, format, Duration.ofDays(1));
    }

    /** A client certificate with the common name {@code commonName}. */
    public Pair client(String file, String commonName, KeyFormat format) throws IOException, GeneralSecurityException {
        return leaf(file, "CN=" + commonName, null, KeyPurposeId.id_kp_clientAuth, format, Duration.ofDays(1));
    }

    /**
     * An SSLContext trusting only this CA, for a test's own HTTP calls; with a client certificate of this CA (kept in
     * memory) when {@code withClientCertificate}.
     */
    public SSLContext sslContext(boolean withClientCertificate) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        KeyManagerFactory keys = null;
        if (withClientCertificate) {
            KeyPair pair = ecKeys();
            X509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()),
                    new X500Name("CN=test probe"), pair, Duration.ofDays(1));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(null, null);
            char[] password = "in-memory".toCharArray();
            own.setKeyEntry("client", pair.getPrivate(), password, new X509Certificate[] {sign(builder, caKeys.getPrivate()), ca});
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(own, password);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), RANDOM);
        return context;
    }

    /** A bcrypt hash of the password, as Prometheus' {@code basic_auth_users} wants it (low cost: tests only). */
    public static String bcrypt(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 4);
    }

    private Pair leaf(String file, String subject, GeneralNames names, KeyPurposeId purpose, KeyFormat format, Duration validity)
            throws IOException, GeneralSecurityException {
        boolean rsa = format == KeyFormat.PKCS1_RSA || format == KeyFormat.PKCS8_RSA;
        KeyPair keys = rsa ? rsaKeys() : ecKeys();
        X509v3CertificateBuilder builder = builder(X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()), new X500Name(subject), keys,
                validity);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | (rsa ? KeyUsage.keyEncipherment : 0)));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (names != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, names);
        }
        X509Certificate certificate = sign(builder, caKeys.getPrivate());
        Path certificateFile = directory.resolve(file + ".crt");
        Path keyFile = directory.resolve(file + ".key");
        Files.writeString(certificateFile, pem(certificate));
        Files.writeString(keyFile, pem(keys.getPrivate(), format));
        return new Pair(certificateFile, keyFile);
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(validity)), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key) throws GeneralSecurityException {
        try {
            String algorithm = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048, RANDOM);
        return generator.generateKeyPair();
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static String pem(PrivateKey key, KeyFormat format) throws IOException {
        return switch (format) {
            // the JCA writer's own form of an RSA key is PKCS#1
            case PKCS1_RSA -> pem(key);
            case PKCS8_EC, PKCS8_RSA -> pem(new JcaPKCS8Generator(key, null));
            case SEC1_EC -> {
                // as openssl writes it: the curve inside the SEC1 structure (the JDK's PKCS#8 form keeps it outside)
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
                yield pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            }
        };
    }
}
