package io.gauntlet.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: s3proxy with its filesystem backend on loopback.
 *
 * <p>{@link #shared()} is the one server of this JVM: the run-wide one that {@code ./gauntlet test} started when
 * {@code GAUNTLET_TEST_S3_ENDPOINT} (with {@code GAUNTLET_TEST_S3_ACCESS_KEY}/{@code _SECRET_KEY}) is set, else one
 * started here from {@code .gauntlet/deps} (fetched when missing) and stopped at JVM exit. {@link #startPrivate()}
 * starts a server of one's own, e.g. to stop it in the middle of a test. Each test takes fresh buckets from
 * {@link #newBucket(String)}.
 */
public final class S3ProxyFixture implements AutoCloseable {
    private static S3ProxyFixture shared;

    private final String endpoint;
    private final String accessKey;
    private final String secretKey;
    private final Path directory; // null when the server is not ours

    private S3ProxyFixture(String endpoint, String accessKey, String secretKey, Path directory) {
        this.endpoint = endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.directory = directory;
    }

    public static synchronized S3ProxyFixture shared() {
        if (shared == null) {
            String endpoint = System.getenv("GAUNTLET_TEST_S3_ENDPOINT");
            if (endpoint != null && !endpoint.isBlank()) {
                shared = new S3ProxyFixture(endpoint, requireEnv("GAUNTLET_TEST_S3_ACCESS_KEY"), requireEnv("GAUNTLET_TEST_S3_SECRET_KEY"), null);
            } else {
                S3ProxyFixture started = startPrivate();
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "s3proxy-fixture-stop"));
                shared = started;
            }
        }
        return shared;
    }

    /** A new s3proxy for the caller alone, on a free loopback port; {@link #close()} stops it and removes its data. */
    public static S3ProxyFixture startPrivate() {
        try {
            Path directory = Files.createTempDirectory("gauntlet-s3proxy-");
            int port = DepsScript.freePort();
            DepsScript.run("deps_s3proxy_start", directory.toString(), Integer.toString(port));
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(directory.resolve("s3proxy.properties"))) {
                properties.load(in);
            }
            return new S3ProxyFixture("http://127.0.0.1:" + port, properties.getProperty("s3proxy.identity"),
                    properties.getProperty("s3proxy.credential"), directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for s3proxy", e);
        }
    }

    private static String requireEnv(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("GAUNTLET_TEST_S3_ENDPOINT is set but " + name + " is not");
        }
        return value;
    }

    public String endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Creates an empty bucket with a unique name starting with {@code hint} and returns a config for it. */
    public S3Config newBucket(String hint) {
        String name = (hint.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-") + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        name = name.length() > 63 ? name.substring(name.length() - 63) : name;
        if (!Character.isLetterOrDigit(name.charAt(0))) {
            name = "b" + name.substring(1);
        }
        String bucket = name;
        try (S3Client client = adminClient()) {
            client.createBucket(create -> create.bucket(bucket));
        }
        return S3Config.of(bucket, endpoint, accessKey, secretKey);
    }

    /** A plain SDK client on this server, for what the Bucket API does not do (creating buckets, checks). */
    public S3Client adminClient() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    /** Stops a server this fixture started (its data stays until {@link #close()}). */
    public void stop() {
        if (directory == null) {
            throw new IllegalStateException("the shared run-wide s3proxy is not this fixture's to stop");
        }
        DepsScript.run("deps_s3proxy_stop", directory.toString());
    }

    @Override
    public void close() {
        if (directory == null) {
            return;
        }
        stop();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }

    @Override
    public String toString() {
        return "S3ProxyFixture[" + endpoint + (directory == null ? ", shared" : ", " + directory) + "]";
    }
}
