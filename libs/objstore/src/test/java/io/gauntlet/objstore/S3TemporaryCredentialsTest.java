package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkSystemSetting;

/**
 * S3 without a static key, as on EKS: IRSA (a projected token exchanged at STS with AssumeRoleWithWebIdentity) and
 * EKS Pod Identity (the container credentials endpoint), against loopback servers speaking those protocols, with
 * blocks uploaded to and read from s3proxy on the temporary credentials they hand out. s3proxy knows one key pair:
 * both servers hand out that pair with a fresh session token each time (s3proxy checks the signature, not the token).
 * The variables an EKS pod gets are given as the SDK's system properties ({@code aws.roleArn}, …), which it reads
 * the same way.
 */
class S3TemporaryCredentialsTest {
    private static final String ROLE = "arn:aws:iam::111122223333:role/gauntlet-shipper";
    /** Within the SDK's prefetch window (IRSA: 5 min before expiry, container: 15 min), so every use refreshes. */
    private static final Duration SHORT_LIFETIME = Duration.ofMinutes(2);
    private static final List<SdkSystemSetting> SETTINGS = List.of(SdkSystemSetting.AWS_ROLE_ARN, SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE,
            SdkSystemSetting.AWS_ROLE_SESSION_NAME, SdkSystemSetting.AWS_CONTAINER_CREDENTIALS_FULL_URI,
            SdkSystemSetting.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE);

    @TempDir
    Path directory;
    private Path tokenFile;
    private S3ProxyFixture s3;

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getProperty("aws.accessKeyId") == null,
                "static AWS keys in the environment would take precedence over IRSA and Pod Identity");
        tokenFile = Files.writeString(directory.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.1");
        s3 = S3ProxyFixture.shared();
    }

    @AfterEach
    void clearSettings() {
        SETTINGS.forEach(setting -> System.clearProperty(setting.property()));
    }

    private String token() {
        try {
            return Files.readString(tokenFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh bucket on s3proxy, configured without any key. */
    private S3Config keylessBucket(String hint) {
        S3Config withKeys = s3.newBucket(hint);
        return S3Config.of(withKeys.bucket(), s3.endpoint(), null, null);
    }

    @Test
    void irsaShipsAndReadsBlocksAndRefreshesCredentialsBeforeTheyExpire() {
        try (LoopbackStsServer sts = new LoopbackStsServer(ROLE, this::token, s3.accessKey(), s3.secretKey(), SHORT_LIFETIME)) {
            System.setProperty(SdkSystemSetting.AWS_ROLE_ARN.property(), ROLE);
            System.setProperty(SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE.property(), tokenFile.toString());
            System.setProperty(SdkSystemSetting.AWS_ROLE_SESSION_NAME.property(), "gauntlet-test");
            S3Config config = keylessBucket("irsa").withStsEndpoint(sts.endpoint());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();

            try (Bucket bucket = BucketFactory.create(BucketConfig.s3(config), registry)) {
                assertThat(sts.issuedSessionTokens()).as("credentials fetched at start").hasSize(1);
                shipAndReadBlock(bucket);
                // the token the kubelet rotates in the file is the one sent next time
                writeToken("eyJhbGciOiJSUzI1NiJ9.projected-service-account-token.2");
                assertThat(bucket.exists("01JB0000000000000000000000/meta.json")).isTrue();
            }

            assertThat(sts.refusals()).isEmpty();
            assertThat(sts.issuedSessionTokens()).as("fetched anew before expiry, each time a request needed them")
                    .hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();
            assertThat(registry.get("gauntlet_objstore_credentials_info").tags("bucket", config.bucket(), "provider",
                    S3CredentialSource.WEB_IDENTITY, "role_arn", ROLE).gauge().value()).isEqualTo(1.0);
        }
    }

    @Test
    void aRoleStsRefusesFailsTheStartNamingTheRoleAndTheProvider() {
        String wrongRole = "arn:aws:iam::111122223333:role/not-trusted";
        try (LoopbackStsServer sts = new LoopbackStsServer(ROLE, this::token, s3.accessKey(), s3.secretKey(), SHORT_LIFETIME)) {
            System.setProperty(SdkSystemSetting.AWS_ROLE_ARN.property(), wrongRole);
            System.setProperty(SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE.property(), tokenFile.toString());
            S3Config config = keylessBucket("irsa-wrong-role").withStsEndpoint(sts.endpoint());

            assertThatThrownBy(() -> BucketFactory.create(BucketConfig.s3(config), new SimpleMeterRegistry()))
                    .isInstanceOf(BucketException.class)
                    .hasMessageContaining("S3 bucket " + config.bucket())
                    .hasMessageContaining(S3CredentialSource.WEB_IDENTITY + " cannot assume role " + wrongRole)
                    .hasMessageContaining("STS answered AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity")
                    .hasMessageNotContaining(s3.secretKey());
            assertThat(sts.refusals()).contains("AccessDenied");
        }
    }

    @Test
    void eksPodIdentityShipsAndReadsBlocksWithTheAuthorizationTokenFromItsFile() {
        String podToken = token(); // what the agent expects; the file may say otherwise later
        try (LoopbackContainerCredentialsServer agent = new LoopbackContainerCredentialsServer(() -> podToken, s3.accessKey(), s3.secretKey(),
                SHORT_LIFETIME)) {
            System.setProperty(SdkSystemSetting.AWS_CONTAINER_CREDENTIALS_FULL_URI.property(), agent.fullUri());
            System.setProperty(SdkSystemSetting.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.property(), tokenFile.toString());
            S3Config config = keylessBucket("pod-identity");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();

            try (Bucket bucket = BucketFactory.create(BucketConfig.s3(config), registry)) {
                shipAndReadBlock(bucket);
            }

            assertThat(agent.refusals()).isEmpty();
            assertThat(agent.issuedSessionTokens()).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
            assertThat(registry.get("gauntlet_objstore_credentials_info").tags("provider", S3CredentialSource.CONTAINER).gauge().value())
                    .isEqualTo(1.0);

            writeToken("not-the-pod-token");
            assertThatThrownBy(() -> BucketFactory.create(BucketConfig.s3(keylessBucket("pod-identity-refused")), new SimpleMeterRegistry()))
                    .isInstanceOf(BucketException.class)
                    .hasMessageContaining(S3CredentialSource.CONTAINER + " gave no credentials (container credentials endpoint " + agent.fullUri());
            assertThat(agent.refusals()).contains(401);
        }
    }

    /** A block's files, meta.json last, then read back whole and by range. */
    private static void shipAndReadBlock(Bucket bucket) {
        Map<String, String> files = Map.of(
                "01JB0000000000000000000000/chunks/000001", "chunk bytes ".repeat(100),
                "01JB0000000000000000000000/index", "index bytes",
                "01JB0000000000000000000000/meta.json", "{\"ulid\":\"01JB0000000000000000000000\",\"version\":1}");
        for (String name : List.of("01JB0000000000000000000000/chunks/000001", "01JB0000000000000000000000/index",
                "01JB0000000000000000000000/meta.json")) {
            byte[] content = files.get(name).getBytes(StandardCharsets.UTF_8);
            bucket.upload(name, new ByteArrayInputStream(content), content.length);
        }
        assertThat(bucket.list("01JB0000000000000000000000/", true)).hasSize(3);
        for (Map.Entry<String, String> file : files.entrySet()) {
            assertThat(read(bucket.get(file.getKey()))).isEqualTo(file.getValue());
        }
        assertThat(read(bucket.getRange("01JB0000000000000000000000/chunks/000001", 6, 5))).isEqualTo("bytes");
    }

    private void writeToken(String token) {
        try {
            Files.writeString(tokenFile, token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
