package io.gauntlet.objstore;

import io.micrometer.core.instrument.MeterRegistry;

/** Builds the bucket an objstore config describes: backend, then {@code prefix}, then (optionally) metrics. */
public final class BucketFactory {
    private BucketFactory() {
    }

    public static Bucket create(BucketConfig config) {
        Bucket backend = switch (config.backend()) {
            case FilesystemConfig filesystem -> new FilesystemBucket(filesystem.directory());
            case S3Config s3 -> new S3Bucket(s3);
        };
        return config.prefix().isEmpty() ? backend : new PrefixedBucket(backend, config.prefix());
    }

    /** As {@link #create(BucketConfig)}, with Thanos' bucket metrics registered in {@code registry}. */
    public static Bucket create(BucketConfig config, MeterRegistry registry) {
        return new InstrumentedBucket(create(config), registry);
    }

    /** Parses objstore YAML (inline) and builds its bucket. */
    public static Bucket fromYaml(String yaml) {
        return create(BucketConfig.parse(yaml));
    }
}
