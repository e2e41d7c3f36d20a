package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BucketConfigTest {
    private static final String SECRET = "not-a-real-secret/gauntlet-test-0123456789";
    private static final String ACCESS = "TESTACCESSKEYGAUNTLET";

    @TempDir
    Path temp;

    @Test
    void parsesTheThanosS3ExampleUnchanged() {
        BucketConfig config = BucketConfig.parse("""
                type: S3
                config:
                  bucket: thanos-metrics
                  endpoint: s3.amazonaws.com
                  region: ap-southeast-1
                  access_key: %s
                  secret_key: %s
                  insecure: false
                  bucket_lookup_type: auto
                  part_size: 67108864
                  signature_version2: false
                  put_user_metadata: {}
                  sse_config:
                    type: ""
                  http_config:
                    idle_conn_timeout: 1m30s
                    response_header_timeout: 2m
                    insecure_skip_verify: false
                  trace:
                    enable: false
                prefix: ""
                """.formatted(ACCESS, SECRET));

        assertThat(config.type()).isEqualTo(BucketType.S3);
        assertThat(config.prefix()).isEmpty();
        S3Config s3 = (S3Config) config.backend();
        assertThat(s3.bucket()).isEqualTo("thanos-metrics");
        assertThat(s3.endpointUri()).hasToString("https://s3.amazonaws.com");
        assertThat(s3.region()).isEqualTo("ap-southeast-1");
        assertThat(s3.accessKey()).isEqualTo(ACCESS);
        assertThat(s3.secretKey()).isEqualTo(SECRET);
        assertThat(s3.insecure()).isFalse();
        assertThat(s3.bucketLookupType()).isEqualTo(BucketLookupType.AUTO);
        assertThat(s3.pathStyle()).as("auto on AWS is virtual-hosted").isFalse();
        assertThat(s3.partSize()).isEqualTo(64L << 20);
        assertThat(s3.responseHeaderTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s3.maxRetries()).isEqualTo(S3Config.DEFAULT_MAX_RETRIES);
    }

    @Test
    void parsesAnS3ProxyConfigWithPathStyleAndHttp() {
        BucketConfig config = BucketConfig.parse("""
                type: s3
                config:
                  bucket: gauntlet
                  endpoint: 127.0.0.1:9000
                  insecure: true
                  bucket_lookup_type: path
                  max_retries: 5
                  http_config:
                    tls_handshake_timeout: 1.5s
                prefix: /tenant-a/
                """);

        S3Config s3 = (S3Config) config.backend();
        assertThat(s3.endpointUri()).hasToString("http://127.0.0.1:9000");
        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.maxRetries()).isEqualTo(5);
        assertThat(s3.connectTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(s3.accessKey()).as("no keys: the environment or the default chain").isNull();
        assertThat(config.prefix()).isEqualTo("tenant-a");
    }

    @Test
    void takesThanosStsEndpointForIrsaAsAUrlOrAHost() {
        S3Config url = (S3Config) BucketConfig.parse("type: S3\nconfig: {bucket: b, sts_endpoint: 'https://sts.eu-west-1.amazonaws.com'}").backend();
        S3Config host = (S3Config) BucketConfig.parse("type: S3\nconfig: {bucket: b, sts_endpoint: sts.eu-west-1.amazonaws.com}").backend();
        S3Config none = (S3Config) BucketConfig.parse("type: S3\nconfig: {bucket: b}").backend();

        assertThat(url.stsEndpointUri()).hasToString("https://sts.eu-west-1.amazonaws.com");
        assertThat(host.stsEndpointUri()).hasToString("https://sts.eu-west-1.amazonaws.com");
        assertThat(none.stsEndpointUri()).as("the SDK's regional STS").isNull();
        assertThat(url.toString()).contains("sts_endpoint=https://sts.eu-west-1.amazonaws.com");
        assertThatThrownBy(() -> BucketConfig.parse("type: S3\nconfig: {bucket: b, sts_endpoint: 'http://'}"))
                .hasMessageContaining("s3 sts_endpoint 'http://' is not host[:port] or an http(s) URL");
    }

    @Test
    void autoLookupIsPathStyleForNonAwsEndpoints() {
        S3Config s3 = (S3Config) BucketConfig.parse("type: S3\nconfig: {bucket: b, endpoint: minio.local:9000}").backend();

        assertThat(s3.pathStyle()).isTrue();
        assertThat(s3.endpointUri()).hasToString("https://minio.local:9000");
    }

    @Test
    void parsesTheThanosAzureExampleUnchanged() {
        BucketConfig config = BucketConfig.parse("""
                type: AZURE
                config:
                  storage_account: "acct"
                  storage_account_key: "a2V5"
                  storage_connection_string: ""
                  storage_create_container: false
                  container: "thanos"
                  endpoint: ""
                  user_assigned_id: ""
                  max_retries: 3
                  reader_config:
                    max_retry_requests: 0
                  pipeline_config:
                    max_tries: 0
                    try_timeout: 0s
                    retry_delay: 1s
                    max_retry_delay: 10s
                  http_config:
                    idle_conn_timeout: 1m30s
                    response_header_timeout: 2m
                    insecure_skip_verify: false
                    tls_handshake_timeout: 10s
                    expect_continue_timeout: 1s
                    max_idle_conns: 100
                    max_idle_conns_per_host: 100
                    max_conns_per_host: 0
                    tls_config:
                      ca_file: ""
                      cert_file: ""
                      key_file: ""
                      server_name: ""
                      insecure_skip_verify: false
                    disable_compression: false
                  msi_resource: ""
                prefix: ""
                """);

        AzureConfig azure = (AzureConfig) config.backend();
        assertThat(config.type()).isEqualTo(BucketType.AZURE);
        assertThat(azure.serviceUrl()).isEqualTo("https://acct.blob.core.windows.net");
        assertThat(azure.container()).isEqualTo("thanos");
        assertThat(azure.storageCreateContainer()).isFalse();
        assertThat(azure.maxTries()).as("max_retries fills an unset max_tries, as Thanos does").isEqualTo(3);
        assertThat(azure.retryDelay()).isEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(azure.responseHeaderTimeout()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(azure.toString()).doesNotContain("a2V5");
        assertThat(((AzureConfig) BucketConfig.parse("type: azure\nconfig: {storage_account: a, container: c, storage_account_key: k}")
                .backend()).storageCreateContainer()).as("Thanos' default").isTrue();
    }

    @Test
    void parsesTheFilesystemConfig() {
        BucketConfig config = BucketConfig.parse("type: FILESYSTEM\nconfig:\n  directory: /var/thanos/bucket\n");

        assertThat(config.backend()).isEqualTo(new FilesystemConfig(Path.of("/var/thanos/bucket")));
        assertThat(config.prefix()).isEmpty();
    }

    @Test
    void rejectsUnknownKeysNamingThem() {
        assertThatThrownBy(() -> BucketConfig.parse("type: FILESYSTEM\nconfig:\n  directory: /data\n  some_future_option: 3\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown key 'config.some_future_option'");
        assertThatThrownBy(() -> BucketConfig.parse("type: FILESYSTEM\nconfig:\n  directory: /data\ntracing: {enabled: true}\n"))
                .hasMessageContaining("unknown key 'tracing'");
        assertThatThrownBy(() -> BucketConfig.parse("type: S3\nconfig:\n  bucket: b\n  http_config:\n    bogus: 1\n"))
                .hasMessageContaining("unknown key 'config.http_config.bogus'");
        // tuning keys of Thanos' Go client are accepted and ignored
        assertThat(BucketConfig.parse("type: S3\nconfig:\n  bucket: b\n  trace: {enable: true}\n  http_config:\n    max_idle_conns: 10\n")
                .type()).isEqualTo(BucketType.S3);
    }

    @Test
    void refusesThanosFeaturesItDoesNotImplementRatherThanIgnoringThem() {
        String base = "type: S3\nconfig:\n  bucket: b\n";
        assertThatThrownBy(() -> BucketConfig.parse(base + "  sse_config:\n    type: SSE-S3\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'config.sse_config' (server-side encryption) is not implemented");
        assertThatThrownBy(() -> BucketConfig.parse(base + "  send_content_md5: true\n")).hasMessageContaining("'config.send_content_md5' is set");
        assertThatThrownBy(() -> BucketConfig.parse(base + "  put_user_metadata: {team: a}\n")).hasMessageContaining("put_user_metadata");
        assertThatThrownBy(() -> BucketConfig.parse(base + "  http_config:\n    insecure_skip_verify: true\n"))
                .hasMessageContaining("'config.http_config.insecure_skip_verify' is set");
        assertThatThrownBy(() -> BucketConfig.parse(base + "  list_objects_version: v1\n")).hasMessageContaining("only v2");
    }

    @Test
    void loadsFromAFileAndBuildsAPrefixedBucket() throws IOException {
        Path file = temp.resolve("objstore.yml");
        Files.writeString(file, "type: FILESYSTEM\nconfig:\n  directory: " + temp.resolve("bucket") + "\nprefix: p1\n");

        try (Bucket bucket = BucketFactory.create(BucketConfig.load(file))) {
            bucket.upload("obj", new java.io.ByteArrayInputStream(new byte[] {1}), 1);
        }

        assertThat(temp.resolve("bucket/p1/obj")).exists();
    }

    @Test
    void namesEachProblem() {
        record Case(String yaml, String message) {
        }
        for (Case c : List.of(
                new Case("", "empty"),
                new Case("type: S3\nconfig: [unclosed", "malformed objstore YAML at line"),
                new Case("- just\n- a list\n", "mapping"),
                new Case("config: {bucket: b}", "no 'type'"),
                new Case("type: GCS\nconfig: {bucket: b}", "'GCS' is not supported"),
                new Case("type: S3\nconfig: {endpoint: x}", "config.bucket"),
                new Case("type: S3\nconfig: {bucket: b, insecure: maybe}", "config.insecure"),
                new Case("type: S3\nconfig: {bucket: b, part_size: big}", "config.part_size"),
                new Case("type: S3\nconfig: {bucket: b, part_size: 1024}", "at least"),
                new Case("type: S3\nconfig: {bucket: b, bucket_lookup_type: dns-ish}", "bucket_lookup_type"),
                new Case("type: S3\nconfig: {bucket: b, access_key: only-one}", "both or neither"),
                new Case("type: S3\nconfig: {bucket: b, http_config: {response_header_timeout: soon}}", "response_header_timeout"),
                new Case("type: S3\nconfig: {bucket: b, endpoint: 'ftp://x'}", "endpoint"),
                new Case("type: AZURE\nconfig: {container: c, storage_account_key: k}", "config.storage_account"),
                new Case("type: AZURE\nconfig: {storage_account: a, storage_account_key: k}", "config.container"),
                new Case("type: AZURE\nconfig: {storage_account: a, container: c}", "storage_account_key"),
                new Case("type: AZURE\nconfig: {storage_account: a, container: c, storage_account_key: k, storage_connection_string: s}",
                        "cannot both be set"),
                new Case("type: AZURE\nconfig: {storage_account: a, container: c, user_assigned_id: id}", "Azure AD identities"),
                new Case("type: AZURE\nconfig: {storage_account: a, container: c, storage_account_key: k, pipeline_config: {tries: 3}}",
                        "unknown key 'config.pipeline_config.tries'"),
                new Case("type: FILESYSTEM\nconfig: {}", "config.directory"),
                new Case("type: FILESYSTEM\nconfig: {directory: /d}\nprefix: ../up", "'..'"))) {
            assertThatThrownBy(() -> BucketConfig.parse(c.yaml())).as(c.yaml())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c.message());
        }
        assertThatThrownBy(() -> BucketConfig.load(temp.resolve("absent.yml")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absent.yml").hasMessageContaining("does not exist");
    }

    @Test
    void noSecretAppearsInAnyToStringOrErrorMessage() {
        String good = """
                type: S3
                config:
                  bucket: b
                  endpoint: 127.0.0.1:9000
                  access_key: %s
                  secret_key: %s
                  session_token: %s-token
                prefix: p
                """.formatted(ACCESS, SECRET, SECRET);
        BucketConfig config = BucketConfig.parse(good);
        assertThat(config.toString()).doesNotContain(SECRET).doesNotContain(ACCESS).contains("secret_key=<redacted>");
        assertThat(config.backend().toString()).doesNotContain(SECRET).doesNotContain(ACCESS);
        try (Bucket bucket = BucketFactory.create(config)) {
            assertThat(bucket.toString()).doesNotContain(SECRET).doesNotContain(ACCESS);
        }

        List<String> broken = List.of(
                // a tab where YAML forbids it, on the secret's line: the parser would quote that line
                "type: S3\nconfig:\n  bucket: b\n\tsecret_key: " + SECRET + "\n",
                "type: S3\nconfig: {bucket: b, secret_key: " + SECRET + "}\n  bad: [",
                "type: S3\nconfig: {bucket: b, secret_key: " + SECRET + "}",
                "type: S3\nconfig: {bucket: b, access_key: " + ACCESS + ", secret_key: [" + SECRET + "]}",
                "type: S3\nconfig: {bucket: b, insecure: " + SECRET + ", access_key: a, secret_key: " + SECRET + "}",
                "type: S3\nconfig: {bucket: b, part_size: " + SECRET + "}",
                "type: S3\nconfig: {bucket: b, http_config: {response_header_timeout: " + SECRET + "}}");
        for (String yaml : broken) {
            assertThatThrownBy(() -> BucketConfig.parse(yaml)).as(yaml)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> {
                        for (Throwable t = e; t != null; t = t.getCause()) {
                            assertThat(t.getMessage()).doesNotContain(SECRET).doesNotContain(ACCESS);
                        }
                    });
        }
    }
}
