package io.gauntlet.objstore;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.specialized.BlobInputStream;
import com.azure.storage.blob.specialized.BlockBlobClient;
import com.azure.storage.common.StorageSharedKeyCredential;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * A bucket on Azure Blob Storage (or Azurite) over the Azure SDK for Java with the JDK's HTTP client. An object up to
 * the block size goes up in one request, a larger one as staged blocks committed at the end, so a failed upload never
 * leaves a visible blob. The SDK's pipeline retries with exponential backoff; what still fails becomes a
 * {@link BucketException} naming the operation, object and container (never a URL, which may carry a SAS token).
 */
public final class AzureBucket implements Bucket {
    private static final System.Logger LOG = System.getLogger(AzureBucket.class.getName());
    private static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(4);
    private static final Duration DEFAULT_MAX_RETRY_DELAY = Duration.ofMinutes(2);
    /**
     * The adapter warns on every request that the JDK client sets Content-Length itself (which it does, correctly): held
     * here so that the level set below is not lost with a collected logger.
     */
    private static final java.util.logging.Logger RESTRICTED_HEADER_WARNINGS =
            java.util.logging.Logger.getLogger("com.azure.core.http.jdk.httpclient.JdkHttpClient");

    static {
        RESTRICTED_HEADER_WARNINGS.setLevel(java.util.logging.Level.SEVERE);
    }

    private final AzureConfig config;
    private final BlobContainerClient container;
    private final Integer listPageSize;

    public AzureBucket(AzureConfig config) {
        this(config, null);
    }

    /** With smaller listing pages, so that tests cover paging without thousands of objects. */
    AzureBucket(AzureConfig config, Integer listPageSize) {
        this.config = config;
        this.listPageSize = listPageSize;
        this.container = containerClient(config);
        if (config.storageCreateContainer()) {
            try {
                if (!container.exists()) {
                    container.createIfNotExists();
                    LOG.log(System.Logger.Level.INFO, "Azure container {0} created", config.container());
                }
            } catch (RuntimeException e) {
                throw translate("create_container", config.container(), e);
            }
        }
    }

    private static BlobContainerClient containerClient(AzureConfig config) {
        JdkHttpClientBuilder http = new JdkHttpClientBuilder();
        if (config.connectTimeout() != null) {
            http.connectionTimeout(config.connectTimeout());
        }
        if (config.responseHeaderTimeout() != null) {
            http.responseTimeout(config.responseHeaderTimeout());
        }
        HttpClient httpClient = http.build();
        Duration retryDelay = config.retryDelay() == null ? DEFAULT_RETRY_DELAY : config.retryDelay();
        Duration maxRetryDelay = config.maxRetryDelay() == null ? DEFAULT_MAX_RETRY_DELAY : config.maxRetryDelay();
        if (retryDelay.compareTo(maxRetryDelay) > 0) {
            throw new IllegalArgumentException("AZURE pipeline_config.retry_delay " + retryDelay + " exceeds max_retry_delay " + maxRetryDelay);
        }
        RequestRetryOptions retry = new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, config.maxTries(), config.tryTimeout(),
                retryDelay, maxRetryDelay, null);
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder().httpClient(httpClient).retryOptions(retry);
        try {
            if (!config.storageConnectionString().isEmpty()) {
                builder.connectionString(config.storageConnectionString());
            } else {
                builder.endpoint(config.serviceUrl())
                        .credential(new StorageSharedKeyCredential(config.storageAccount(), config.storageAccountKey()));
            }
            return builder.buildClient().getBlobContainerClient(config.container());
        } catch (IllegalArgumentException e) {
            // the SDK's message may quote the connection string: say only which part is wrong
            throw new IllegalArgumentException("AZURE objstore config for container " + config.container()
                    + ": the storage connection string, account key or endpoint is malformed");
        }
    }

    public AzureConfig config() {
        return config;
    }

    @Override
    public void upload(String name, Path file) {
        ObjectNames.checkObjectName(name);
        long size = Uploads.fileSize(name, file);
        Uploads.fromFile(name, file, in -> upload(name, in, size));
    }

    @Override
    public void upload(String name, InputStream data, long length) {
        Uploads.checkUpload(name, length);
        BlockBlobClient blob = container.getBlobClient(name).getBlockBlobClient();
        try {
            if (length <= config.blockSize()) {
                byte[] bytes = Uploads.readPart(name, data, new byte[(int) length], (int) length, 0, length);
                blob.upload(BinaryData.fromBytes(bytes), true);
                return;
            }
            byte[] buffer = new byte[(int) config.blockSize()];
            List<String> blockIds = new ArrayList<>();
            for (long uploaded = 0; uploaded < length; ) {
                int blockLength = (int) Math.min(buffer.length, length - uploaded);
                Uploads.readPart(name, data, buffer, blockLength, uploaded, length);
                String blockId = blockId(blockIds.size());
                blob.stageBlock(blockId, BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, blockLength)));
                blockIds.add(blockId);
                uploaded += blockLength;
            }
            blob.commitBlockList(blockIds, true); // staged blocks left by a failure are never visible and expire
        } catch (BucketException e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate("upload", name, e);
        }
    }

    /** Block IDs of one blob must all have the same length; base64 of a fixed-width number. */
    private static String blockId(int index) {
        return Base64.getEncoder().encodeToString(String.format("%08d", index).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public InputStream get(String name) {
        return getRange(name, 0, -1);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        ObjectNames.checkObjectName(name);
        ObjectNames.checkRange(name, offset, length);
        if (length == 0) {
            attributes(name); // still tells a missing object apart
            return InputStream.nullInputStream();
        }
        BlobInputStream in;
        try {
            // reads the properties first (a missing blob fails here) and then the range in chunks, pinned to this ETag
            in = container.getBlobClient(name).openInputStream(new BlobInputStreamOptions()
                    .setRange(new BlobRange(offset, length == -1 ? null : length)));
        } catch (RuntimeException e) {
            throw translate(offset == 0 && length == -1 ? "get" : "get_range", name, e);
        }
        long size = in.getProperties().getBlobSize();
        if (offset > size || (offset == size && size > 0)) {
            closeQuietly(in);
            throw new BucketException("range of " + name + " starts at " + offset + ", beyond its end (size " + size + ", container "
                    + config.container() + ")");
        }
        return in;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing was read
        }
    }

    @Override
    public boolean exists(String name) {
        ObjectNames.checkObjectName(name);
        try {
            return container.getBlobClient(name).exists();
        } catch (RuntimeException e) {
            throw translate("exists", name, e);
        }
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        String prefix = ObjectNames.normalizeDir(dir);
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix).setMaxResultsPerPage(listPageSize);
        try {
            var blobs = recursive ? container.listBlobs(options, null) : container.listBlobsByHierarchy(DELIMITER, options, null);
            for (PagedResponse<BlobItem> page : blobs.iterableByPage()) {
                // pages come in order; within one, blobs and directory prefixes are merged into one lexical order
                List<String> names = new ArrayList<>();
                for (BlobItem item : page.getValue()) {
                    boolean directory = Boolean.TRUE.equals(item.isPrefix());
                    if (directory || (!item.getName().equals(prefix) && !item.getName().endsWith(DELIMITER))) {
                        names.add(item.getName());
                    }
                }
                names.sort(null);
                names.forEach(consumer);
            }
        } catch (RuntimeException e) {
            throw translate("iter", prefix.isEmpty() ? "/" : prefix, e);
        }
    }

    @Override
    public void delete(String name) {
        ObjectNames.checkObjectName(name);
        try {
            container.getBlobClient(name).deleteIfExistsWithResponse(DeleteSnapshotsOptionType.INCLUDE, null, null, null);
        } catch (RuntimeException e) {
            throw translate("delete", name, e);
        }
    }

    @Override
    public ObjectAttributes attributes(String name) {
        ObjectNames.checkObjectName(name);
        try {
            BlobProperties properties = container.getBlobClient(name).getProperties();
            return new ObjectAttributes(properties.getBlobSize(), properties.getLastModified().toInstant());
        } catch (RuntimeException e) {
            throw translate("attributes", name, e);
        }
    }

    private RuntimeException translate(String operation, String name, RuntimeException e) {
        if (e instanceof BlobStorageException storage) {
            BlobErrorCode code = storage.getErrorCode();
            if (BlobErrorCode.CONTAINER_NOT_FOUND.equals(code)) {
                return new BucketException("Azure container " + config.container() + " does not exist in storage account "
                        + config.storageAccount(), e);
            }
            if (storage.getStatusCode() == 404 && !operation.equals("iter")) {
                return new ObjectNotFoundException(config.container(), name);
            }
            return new BucketException("Azure " + operation + " of " + name + " in container " + config.container() + " failed: HTTP "
                    + storage.getStatusCode() + (code == null ? "" : " " + code), e);
        }
        String why = Uploads.causedByIo(e) ? " (server unreachable or the connection broke; " + config.maxTries() + " tries)" : "";
        return new BucketException("Azure " + operation + " of " + name + " in container " + config.container() + " of storage account "
                + config.storageAccount() + " failed" + why + ": " + e.getClass().getSimpleName(), e);
    }

    @Override
    public String name() {
        return config.container();
    }

    @Override
    public void close() {
        // the JDK HTTP client holds no connection that outlives its idle timeout
    }

    @Override
    public String toString() {
        return "AzureBucket[" + config + "]";
    }
}
