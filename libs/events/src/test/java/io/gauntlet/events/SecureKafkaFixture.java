package io.gauntlet.events;

import io.gauntlet.objstore.DepsScript;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
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
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Kafka 4.1 broker (KRaft, from {@code scripts/deps.sh}) whose only client listener is SASL_SSL with SCRAM-SHA-512:
 * a CA and the broker's certificate (SAN 127.0.0.1, localhost) are made here with BouncyCastle, the SCRAM users are
 * created when the storage is formatted. Each user gets a random password; nothing is written outside a temp dir.
 */
public final class SecureKafkaFixture implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;
    private final String bootstrapServers;
    private final Map<String, String> passwords;

    private SecureKafkaFixture(Path directory, String bootstrapServers, Map<String, String> passwords) {
        this.directory = directory;
        this.bootstrapServers = bootstrapServers;
        this.passwords = passwords;
    }

    /** Starts the broker with these SCRAM users (besides the broker's own {@code broker} user). */
    public static SecureKafkaFixture start(String... users) {
        try {
            Path directory = Files.createTempDirectory("gauntlet-kafka-sasl-ssl-");
            Path security = Files.createDirectories(directory.resolve("security"));
            Map<String, String> passwords = new LinkedHashMap<>();
            passwords.put("broker", randomSecret());
            for (String user : users) {
                passwords.put(user, randomSecret());
            }
            writeTls(security);
            StringBuilder scramUsers = new StringBuilder();
            passwords.forEach((user, password) -> scramUsers.append(user).append(' ').append(password).append('\n'));
            Files.writeString(security.resolve("scram-users"), scramUsers);
            int port = DepsScript.freePort();
            SecureKafkaFixture fixture = new SecureKafkaFixture(directory, "127.0.0.1:" + port, passwords);
            DepsScript.run("deps_kafka_start", directory.resolve("kafka").toString(), Integer.toString(port), security.toString());
            return fixture;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the SASL_SSL Kafka", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The CA that signed the broker's certificate, PEM (what a client's {@code ssl.truststore.location} names). */
    public Path caCertificate() {
        return directory.resolve("security/ca.crt");
    }

    public String password(String user) {
        return passwords.get(user);
    }

    /** Kafka's JAAS line for a SCRAM user, as a Strimzi KafkaUser Secret's {@code sasl.jaas.config} key holds it. */
    public static String jaasConfig(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** A file in the fixture's directory (e.g. a mounted Secret's key). */
    public Path writeFile(String name, String content) {
        try {
            return Files.writeString(directory.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String randomSecret() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void writeTls(Path security) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair caKeys = generator.generateKeyPair();
            KeyPair brokerKeys = generator.generateKeyPair();
            Instant now = Instant.now();
            Date from = Date.from(now.minus(Duration.ofHours(1)));
            Date until = Date.from(now.plus(Duration.ofDays(1)));
            X500Name caName = new X500Name("CN=Gauntlet test CA");
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, from, until, caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate caCertificate = sign(ca, caKeys);
            X509v3CertificateBuilder broker = new JcaX509v3CertificateBuilder(caCertificate, BigInteger.TWO, from, until,
                    new X500Name("CN=localhost"), brokerKeys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate brokerCertificate = sign(broker, caKeys);
            String storePassword = randomSecret();
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("broker", brokerKeys.getPrivate(), storePassword.toCharArray(),
                    new Certificate[] {brokerCertificate, caCertificate});
            try (OutputStream out = Files.newOutputStream(security.resolve("broker.p12"))) {
                keyStore.store(out, storePassword.toCharArray());
            }
            Files.writeString(security.resolve("broker.p12.password"), storePassword);
            StringWriter pem = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
                writer.writeObject(caCertificate);
            }
            Files.writeString(security.resolve("ca.crt"), pem.toString());
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make the test certificates", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    @Override
    public void close() {
        DepsScript.run("deps_kafka_stop", directory.resolve("kafka").toString());
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }
}
