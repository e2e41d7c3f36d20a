package io.gauntlet.objstore;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Builds the bucket an objstore config describes: backend, then {@code prefix}, then (optionally) metrics. */
public final class BucketFactory {
    private BucketFactory() {
    }

    public static Bucket create(BucketConfig config) {
        return withPrefix(backend(config), config);
    }

    /**
     * As {@link #create(BucketConfig)}, with Thanos' bucket metrics registered in {@code registry}, and for S3
     * {@code gauntlet_objstore_credentials_info{bucket, provider, role_arn} 1}: which credential source is in play.
     */
    public static Bucket create(BucketConfig config, MeterRegistry registry) {
        Bucket backend = backend(config);
        if (backend instanceof S3Bucket s3) {
            S3CredentialSource source = s3.credentialSource();
            Gauge.builder("gauntlet_objstore_credentials_info", () -> 1)
                    .description("Where the S3 credentials come from: provider (static-config, static-environment, irsa-web-identity, "
                            + "container-credentials, default-chain) and the role assumed")
                    .tags("bucket", s3.name(), "provider", source.provider(), "role_arn", source.roleArn())
                    .register(registry);
        }
        return new InstrumentedBucket(withPrefix(backend, config), registry);
    }

    private static Bucket backend(BucketConfig config) {
        return switch (config.backend()) {
            case FilesystemConfig filesystem -> new FilesystemBucket(filesystem.directory());
            case S3Config s3 -> new S3Bucket(s3);
            case AzureConfig azure -> new AzureBucket(azure);
        };
    }

    private static Bucket withPrefix(Bucket backend, BucketConfig config) {
        return config.prefix().isEmpty() ? backend : new PrefixedBucket(backend, config.prefix());
    }

    /** Parses objstore YAML (inline) and builds its bucket. */
    public static Bucket fromYaml(String yaml) {
        return create(BucketConfig.parse(yaml));
    }
}
