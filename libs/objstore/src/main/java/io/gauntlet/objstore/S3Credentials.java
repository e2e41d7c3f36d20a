package io.gauntlet.objstore;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Chooses where an S3 bucket's credentials come from, in the AWS default chain's order but explicitly, so that the
 * choice can be named, {@code sts_endpoint} honoured and a broken identity found at start:
 * the objstore config's keys; {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}; IRSA ({@code AWS_ROLE_ARN} and
 * {@code AWS_WEB_IDENTITY_TOKEN_FILE}: the token is exchanged at STS with AssumeRoleWithWebIdentity); EKS Pod Identity
 * and other container credentials ({@code AWS_CONTAINER_CREDENTIALS_FULL_URI}, with the token of
 * {@code AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE}); else the SDK's default chain (profiles, instance metadata). Each
 * variable may also be given as the SDK's system property ({@code aws.roleArn}, {@code aws.webIdentityTokenFile}, …).
 * Temporary credentials are refreshed by the SDK before they expire (IRSA: from 5 minutes before; container: before
 * the last minute), on the next request, without a restart.
 */
final class S3Credentials implements SdkAutoCloseable {
    /** How long before expiry temporary credentials are fetched anew. */
    static final Duration PREFETCH = Duration.ofMinutes(5);
    /** Credentials this close to expiry are not used any more. */
    static final Duration STALE = Duration.ofMinutes(1);

    private final AwsCredentialsProvider provider;
    private final S3CredentialSource source;
    private final SdkAutoCloseable[] resources;

    private S3Credentials(AwsCredentialsProvider provider, S3CredentialSource source, SdkAutoCloseable... resources) {
        this.provider = provider;
        this.source = source;
        this.resources = resources;
    }

    static S3Credentials select(S3Config config) {
        if (config.accessKey() != null) {
            return new S3Credentials(StaticCredentialsProvider.create(config.sessionToken() == null
                    ? AwsBasicCredentials.create(config.accessKey(), config.secretKey())
                    : AwsSessionCredentials.create(config.accessKey(), config.secretKey(), config.sessionToken())),
                    S3CredentialSource.of(S3CredentialSource.STATIC_CONFIG, "", "access_key of the objstore config"));
        }
        if (SdkSystemSetting.AWS_ACCESS_KEY_ID.getStringValue().isPresent()) {
            return new S3Credentials(EnvironmentVariableCredentialsProvider.create(),
                    S3CredentialSource.of(S3CredentialSource.STATIC_ENVIRONMENT, "", "AWS_ACCESS_KEY_ID"));
        }
        Optional<String> roleArn = SdkSystemSetting.AWS_ROLE_ARN.getStringValue();
        Optional<String> tokenFile = SdkSystemSetting.AWS_WEB_IDENTITY_TOKEN_FILE.getStringValue();
        if (roleArn.isPresent() && tokenFile.isPresent()) {
            return webIdentity(config, roleArn.get(), Path.of(tokenFile.get()));
        }
        Optional<String> containerUri = SdkSystemSetting.AWS_CONTAINER_CREDENTIALS_FULL_URI.getStringValue();
        if (containerUri.isPresent()) {
            ContainerCredentialsProvider container = ContainerCredentialsProvider.builder().build();
            String tokenFrom = SdkSystemSetting.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.getStringValue()
                    .map(file -> ", token from " + file).orElse("");
            return new S3Credentials(container, S3CredentialSource.of(S3CredentialSource.CONTAINER, "",
                    "container credentials endpoint " + containerUri.get() + tokenFrom), container);
        }
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        return new S3Credentials(chain, S3CredentialSource.of(S3CredentialSource.DEFAULT_CHAIN, "",
                "AWS SDK default chain (profile files, instance metadata)"), chain);
    }

    private static S3Credentials webIdentity(S3Config config, String roleArn, Path tokenFile) {
        URI stsEndpoint = config.stsEndpointUri();
        StsClientBuilder sts = StsClient.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.responseHeaderTimeout()))
                .credentialsProvider(AnonymousCredentialsProvider.create()); // AssumeRoleWithWebIdentity is not signed
        String region = !config.region().isEmpty() ? config.region() : SdkSystemSetting.AWS_REGION.getStringValue().orElse("us-east-1");
        sts.region(Region.of(region));
        if (stsEndpoint != null) {
            sts.endpointOverride(stsEndpoint);
        }
        StsClient client = sts.build();
        String sessionName = SdkSystemSetting.AWS_ROLE_SESSION_NAME.getStringValue()
                .orElse("gauntlet-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
        StsWebIdentityTokenFileCredentialsProvider provider = StsWebIdentityTokenFileCredentialsProvider.builder()
                .stsClient(client)
                .roleArn(roleArn)
                .roleSessionName(sessionName)
                .webIdentityTokenFile(tokenFile)
                .prefetchTime(PREFETCH)
                .staleTime(STALE)
                .build();
        String where = stsEndpoint == null ? "STS of region " + region : "STS " + stsEndpoint;
        return new S3Credentials(provider, S3CredentialSource.of(S3CredentialSource.WEB_IDENTITY, roleArn,
                "IRSA web identity token " + tokenFile + " exchanged at " + where), provider, client);
    }

    AwsCredentialsProvider provider() {
        return provider;
    }

    S3CredentialSource source() {
        return source;
    }

    /**
     * Fetches temporary credentials once, so that a wrong role or an unreachable credentials endpoint fails the start
     * naming the role and the provider, not the first upload with a 403. Static keys and the default chain are not
     * checked here (the first request does).
     */
    void verify(String bucket) {
        if (!source.temporary()) {
            return;
        }
        try {
            provider.resolveCredentials();
        } catch (StsException e) {
            String code = e.awsErrorDetails() == null ? String.valueOf(e.statusCode()) : e.awsErrorDetails().errorCode();
            String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
            throw new BucketException("S3 bucket " + bucket + ": " + source.provider() + " cannot assume role " + source.roleArn()
                    + " (" + source.detail() + "): STS answered " + code + ": " + message, e);
        } catch (SdkException | IllegalStateException e) {
            String role = source.roleArn().isEmpty() ? "" : " role " + source.roleArn();
            throw new BucketException("S3 bucket " + bucket + ": " + source.provider() + role + " gave no credentials ("
                    + source.detail() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        for (SdkAutoCloseable resource : resources) {
            resource.close();
        }
    }
}
