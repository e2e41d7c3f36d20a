package io.gauntlet.objstore;

/** The {@code config:} section of an objstore YAML, one record per backend. */
public sealed interface BackendConfig permits FilesystemConfig, S3Config, AzureConfig {
    BucketType type();
}
