package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The contract on a real S3 API (s3proxy), plus what only a remote server can do: fail, answer 5xx, go away. */
class S3BucketTest extends BucketContractTest {
    private S3Config config;

    @Override
    protected Bucket newBucket() {
        config = S3ProxyFixture.shared().newBucket("objstore-contract").withPartSize(partSize());
        return new S3Bucket(config, 7); // small listing pages: paging is exercised by a few dozen objects
    }

    @Test
    void largeObjectsGoUpAsMultipartUploads() {
        byte[] data = new byte[(int) (partSize() * 2 + 1)];
        bucket.upload("mp/object", new ByteArrayInputStream(data), data.length);

        try (S3Client client = S3ProxyFixture.shared().adminClient()) {
            String eTag = client.headObject(head -> head.bucket(config.bucket()).key("mp/object")).eTag();
            assertThat(eTag).as("a multipart ETag ends in -<parts>").endsWith("-3\"");
            assertThat(client.listMultipartUploads(list -> list.bucket(config.bucket())).uploads())
                    .as("no upload left open").isEmpty();
        }
    }

    @Test
    void backToBackUploadsOnKeptAliveConnectionsNeedNoRetry() {
        // With the SDK's aws-chunked bodies, s3proxy dropped the connection on about 1-3 % of small uploads when the
        // final chunk came in a later TCP segment; 600 uploads without a single retry allowed would all but surely hit one
        try (Bucket noRetries = new S3Bucket(config.withMaxRetries(0))) {
            for (int i = 0; i < 600; i++) {
                byte[] data = ("object " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                noRetries.upload("burst/" + (i % 20), new ByteArrayInputStream(data), data.length);
            }
            assertThat(noRetries.exists("burst/19")).isTrue();
        }
    }

    @Test
    void aMissingBucketIsAFailureNotAMissingObject() {
        S3Config missing = S3Config.of("no-such-bucket-here", config.endpoint(), config.accessKey(), config.secretKey());
        try (Bucket absent = new S3Bucket(missing)) {
            assertThatThrownBy(() -> absent.get("x"))
                    .isInstanceOf(BucketException.class)
                    .isNotInstanceOf(ObjectNotFoundException.class)
                    .hasMessageContaining("no-such-bucket-here");
        }
    }

    @Test
    void wrongCredentialsAreAClearFailureWithoutTheSecret() {
        S3Config wrong = S3Config.of(config.bucket(), config.endpoint(), config.accessKey(), "wrong-secret-value-123");
        try (Bucket denied = new S3Bucket(wrong)) {
            assertThatThrownBy(() -> denied.exists("x"))
                    .isInstanceOf(BucketException.class)
                    .hasMessageContaining("403")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("wrong-secret-value-123"));
        }
    }

    @Test
    void retries5xxAnswersWithBackoffThenFailsClearly() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            byte[] body = "<Error><Code>ServiceUnavailable</Code><Message>slow down</Message></Error>".getBytes();
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (Bucket flaky = new S3Bucket(S3Config.of("flaky", "http://127.0.0.1:" + server.getAddress().getPort(), "key", "secret")
                .withMaxRetries(3))) {
            assertThatThrownBy(() -> flaky.get("01F/meta.json"))
                    .isInstanceOf(BucketException.class)
                    .isNotInstanceOf(ObjectNotFoundException.class)
                    .hasMessageContaining("503")
                    .hasMessageContaining("01F/meta.json");
            assertThat(requests.get()).as("one try and three retries").isEqualTo(4);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aServerThatStopsMidwayFailsWithABucketExceptionAfterRetries() {
        try (S3ProxyFixture own = S3ProxyFixture.startPrivate()) {
            S3Config ownConfig = own.newBucket("outage").withMaxRetries(2)
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
            try (Bucket outage = new S3Bucket(ownConfig)) {
                outage.upload("before", new ByteArrayInputStream(new byte[] {1, 2, 3}), 3);
                assertThat(outage.exists("before")).isTrue();

                own.stop();

                assertThatThrownBy(() -> outage.get("before"))
                        .isInstanceOf(BucketException.class)
                        .isNotInstanceOf(ObjectNotFoundException.class)
                        .hasMessageContaining("unreachable")
                        .hasMessageContaining(own.endpoint());
                assertThatThrownBy(() -> outage.upload("after", new ByteArrayInputStream(new byte[] {1}), 1))
                        .isInstanceOf(BucketException.class);
                assertThatThrownBy(() -> outage.list("", true)).isInstanceOf(BucketException.class);
            }
        }
    }

    @Test
    void theFactoryBuildsAnS3BucketFromYaml() {
        String yaml = """
                type: s3
                config:
                  bucket: %s
                  endpoint: %s
                  access_key: %s
                  secret_key: %s
                  insecure: true
                  bucket_lookup_type: path
                prefix: via-yaml
                """.formatted(config.bucket(), config.endpoint().substring("http://".length()), config.accessKey(), config.secretKey());
        try (Bucket fromYaml = BucketFactory.fromYaml(yaml)) {
            fromYaml.upload("obj", new ByteArrayInputStream(new byte[] {7}), 1);
        }
        assertThat(bucket.list("via-yaml", true)).containsExactly("via-yaml/obj");
    }

    @Test
    void theBucketNameIsTheS3Bucket() {
        assertThat(bucket.name()).isEqualTo(config.bucket());
    }
}
