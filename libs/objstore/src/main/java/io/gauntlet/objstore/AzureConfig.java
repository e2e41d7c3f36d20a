package io.gauntlet.objstore;

import java.time.Duration;

/**
 * {@code type: AZURE} with Thanos' keys: {@code storage_account}, {@code container}, and the credentials as either
 * {@code storage_account_key} (the service is {@code https://<storage_account>.<endpoint>}, endpoint default
 * {@code blob.core.windows.net}) or {@code storage_connection_string} (which names its own endpoint, e.g. Azurite's);
 * {@code storage_create_container} (default true), {@code max_retries} (the pipeline's tries unless
 * {@code pipeline_config.max_tries} says otherwise; a read is retried per chunk by the same pipeline), the pipeline's
 * {@code try_timeout}/{@code retry_delay}/{@code max_retry_delay}, and the {@code http_config} timeouts.
 * {@link #toString()} never shows a credential.
 */
public record AzureConfig(
        String storageAccount,
        String storageAccountKey,
        String storageConnectionString,
        boolean storageCreateContainer,
        String container,
        String endpoint,
        int maxTries,
        Duration tryTimeout,
        Duration retryDelay,
        Duration maxRetryDelay,
        Duration connectTimeout,
        Duration responseHeaderTimeout,
        long blockSize) implements BackendConfig {

    public static final String DEFAULT_ENDPOINT = "blob.core.windows.net";
    /** The Azure SDK's own default: one try and three retries. */
    public static final int DEFAULT_MAX_TRIES = 4;
    /** Thanos uploads in 3 MiB blocks. */
    public static final long DEFAULT_BLOCK_SIZE = 3L * 1024 * 1024;

    private static final String REDACTED = "<redacted>";

    public AzureConfig {
        storageAccount = trim(storageAccount);
        container = trim(container);
        storageAccountKey = trim(storageAccountKey);
        storageConnectionString = trim(storageConnectionString);
        endpoint = trim(endpoint).isEmpty() ? DEFAULT_ENDPOINT : trim(endpoint);
        if (storageAccount.isEmpty()) {
            throw new IllegalArgumentException("AZURE objstore config needs 'config.storage_account'");
        }
        if (container.isEmpty()) {
            throw new IllegalArgumentException("AZURE objstore config needs 'config.container'");
        }
        if (!storageAccountKey.isEmpty() && !storageConnectionString.isEmpty()) {
            throw new IllegalArgumentException("AZURE objstore 'config.storage_account_key' and 'config.storage_connection_string'"
                    + " cannot both be set");
        }
        if (storageAccountKey.isEmpty() && storageConnectionString.isEmpty()) {
            throw new IllegalArgumentException("AZURE objstore config needs 'config.storage_account_key' or"
                    + " 'config.storage_connection_string' (Azure AD identities are not implemented)");
        }
        if (maxTries < 0) {
            throw new IllegalArgumentException("AZURE objstore pipeline_config.max_tries must not be negative");
        }
        maxTries = maxTries == 0 ? DEFAULT_MAX_TRIES : maxTries;
        blockSize = blockSize == 0 ? DEFAULT_BLOCK_SIZE : blockSize;
        if (blockSize < 1024) {
            throw new IllegalArgumentException("AZURE block size must be at least 1 KiB, got " + blockSize);
        }
    }

    /** A config with a connection string (how Azurite is reached), defaults elsewhere. */
    public static AzureConfig ofConnectionString(String account, String container, String connectionString) {
        return new AzureConfig(account, "", connectionString, true, container, "", 0, null, null, null, null, null, 0);
    }

    public AzureConfig withBlockSize(long newBlockSize) {
        return new AzureConfig(storageAccount, storageAccountKey, storageConnectionString, storageCreateContainer, container, endpoint,
                maxTries, tryTimeout, retryDelay, maxRetryDelay, connectTimeout, responseHeaderTimeout, newBlockSize);
    }

    public AzureConfig withStorageCreateContainer(boolean create) {
        return new AzureConfig(storageAccount, storageAccountKey, storageConnectionString, create, container, endpoint,
                maxTries, tryTimeout, retryDelay, maxRetryDelay, connectTimeout, responseHeaderTimeout, blockSize);
    }

    public AzureConfig withMaxTries(int newMaxTries) {
        return new AzureConfig(storageAccount, storageAccountKey, storageConnectionString, storageCreateContainer, container, endpoint,
                newMaxTries, tryTimeout, retryDelay, maxRetryDelay, connectTimeout, responseHeaderTimeout, blockSize);
    }

    /** The blob service URL for account-key access: {@code https://<storage_account>.<endpoint>}, as Thanos builds it. */
    public String serviceUrl() {
        return "https://" + storageAccount + "." + endpoint;
    }

    @Override
    public BucketType type() {
        return BucketType.AZURE;
    }

    private static String trim(String value) {
        return value == null ? "" : value.trim();
    }

    @Override
    public String toString() {
        return "AzureConfig[storage_account=" + storageAccount + ", container=" + container + ", endpoint=" + endpoint
                + ", storage_account_key=" + (storageAccountKey.isEmpty() ? "" : REDACTED)
                + ", storage_connection_string=" + (storageConnectionString.isEmpty() ? "" : REDACTED)
                + ", storage_create_container=" + storageCreateContainer + ", max_tries=" + maxTries
                + ", try_timeout=" + tryTimeout + ", retry_delay=" + retryDelay + ", max_retry_delay=" + maxRetryDelay
                + ", connect_timeout=" + connectTimeout
                + ", response_header_timeout=" + responseHeaderTimeout + ", block_size=" + blockSize + "]";
    }
}
