package io.gauntlet.objstore;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket on S3 or an S3-compatible server (s3proxy, MinIO), over the AWS SDK v2 with the JDK's URL connection.
 * Objects up to {@code part_size} go up in one PUT, larger ones as a multipart upload (aborted on failure).
 * The SDK retries 5xx answers and network errors with exponential backoff; what still fails becomes a
 * {@link BucketException} naming the operation, object and bucket.
 */
public final class S3Bucket implements Bucket {
    private static final String CONTENT_TYPE = "application/octet-stream";

    private static final int LIST_PAGE_SIZE = 1000; // S3's maximum

    private static final System.Logger LOG = System.getLogger(S3Bucket.class.getName());

    private final S3Config config;
    private final S3Credentials credentials;
    private final S3Client client;
    private final int listPageSize;

    public S3Bucket(S3Config config) {
        this(config, LIST_PAGE_SIZE);
    }

    /** With smaller listing pages, so that tests cover paging without thousands of objects. */
    S3Bucket(S3Config config, int listPageSize) {
        this.config = config;
        this.credentials = S3Credentials.select(config);
        try {
            credentials.verify(config.bucket());
            this.client = buildClient(config, credentials.provider());
        } catch (RuntimeException e) {
            credentials.close();
            throw e;
        }
        this.listPageSize = listPageSize;
        S3CredentialSource source = credentials.source();
        LOG.log(System.Logger.Level.INFO, "S3 bucket {0}: credentials from {1}{2} ({3})", config.bucket(), source.provider(),
                source.roleArn().isEmpty() ? "" : ", role " + source.roleArn(), source.detail());
    }

    private static S3Client buildClient(S3Config config, AwsCredentialsProvider credentials) {
        URI endpoint = config.endpointUri();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.responseHeaderTimeout()))
                .region(Region.of(config.region().isEmpty() ? "us-east-1" : config.region()))
                .forcePathStyle(config.pathStyle())
                .credentialsProvider(credentials)
                // S3-compatible servers do not all know the SDK's newer default checksums
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // On plain-HTTP endpoints the SDK signs the payload and by default sends it "aws-chunked" (a signature per
                // chunk, then a final empty chunk). Against s3proxy 1-3 % of small uploads then failed with "Error writing
                // request body to server" although the object was stored: the connection was closed under the request,
                // as when the server answers before reading the final chunk and drops what arrives late. Under load all
                // retries of one upload failed so (CI). A body signed whole, with a plain Content-Length, has no trailing
                // chunk; it costs one more read of the bytes before sending (docs/benchmarks.md: within the noise).
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .overrideConfiguration(override -> override.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(config.maxRetries() + 1)
                        .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(10)))
                        .circuitBreakerEnabled(false)
                        .build()));
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        } else if (config.region().isEmpty()) {
            builder.crossRegionAccessEnabled(true); // AWS without a region: follow the bucket's own region
        }
        try {
            return builder.build();
        } catch (SdkException e) {
            throw new BucketException("cannot create the S3 client for bucket " + config.bucket() + ": " + e.getMessage(), e);
        }
    }

    public S3Config config() {
        return config;
    }

    /** Where the credentials come from (provider, role): logged once at start and a metric label. */
    public S3CredentialSource credentialSource() {
        return credentials.source();
    }

    @Override
    public void upload(String name, Path file) {
        ObjectNames.checkObjectName(name);
        long size = Uploads.fileSize(name, file);
        if (size <= config.partSize()) {
            try {
                client.putObject(put -> put.bucket(config.bucket()).key(name).contentType(CONTENT_TYPE), RequestBody.fromFile(file));
            } catch (SdkException e) {
                throw translate("upload", name, e);
            }
            return;
        }
        Uploads.fromFile(name, file, in -> uploadMultipart(name, in, size));
    }

    @Override
    public void upload(String name, InputStream data, long length) {
        Uploads.checkUpload(name, length);
        if (length > config.partSize()) {
            uploadMultipart(name, data, length);
            return;
        }
        byte[] bytes = Uploads.readPart(name, data, new byte[(int) length], (int) length, 0, length);
        try {
            // a content provider over the same array, so that a retry resends the body without copying it
            client.putObject(put -> put.bucket(config.bucket()).key(name).contentType(CONTENT_TYPE),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), length, CONTENT_TYPE));
        } catch (SdkException e) {
            throw translate("upload", name, e);
        }
    }

    private void uploadMultipart(String name, InputStream data, long length) {
        String uploadId;
        try {
            uploadId = client.createMultipartUpload(create -> create.bucket(config.bucket()).key(name).contentType(CONTENT_TYPE)).uploadId();
        } catch (SdkException e) {
            throw translate("upload", name, e);
        }
        boolean completed = false;
        try {
            byte[] buffer = new byte[(int) Math.min(config.partSize(), length)];
            List<CompletedPart> parts = new ArrayList<>();
            long uploaded = 0;
            for (int partNumber = 1; uploaded < length; partNumber++) {
                int partLength = (int) Math.min(buffer.length, length - uploaded);
                Uploads.readPart(name, data, buffer, partLength, uploaded, length);
                int number = partNumber;
                String eTag = client.uploadPart(part -> part.bucket(config.bucket()).key(name).uploadId(uploadId).partNumber(number),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, partLength), partLength, CONTENT_TYPE)).eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
                uploaded += partLength;
            }
            client.completeMultipartUpload(complete -> complete.bucket(config.bucket()).key(name).uploadId(uploadId)
                    .multipartUpload(upload -> upload.parts(parts)));
            completed = true;
        } catch (SdkException e) {
            throw translate("upload", name, e);
        } finally {
            if (!completed) {
                abort(name, uploadId);
            }
        }
    }

    private void abort(String name, String uploadId) {
        try {
            client.abortMultipartUpload(abort -> abort.bucket(config.bucket()).key(name).uploadId(uploadId));
        } catch (SdkException ignored) {
            // the upload already failed; an unaborted upload only costs storage until the bucket's lifecycle rule
        }
    }

    @Override
    public InputStream get(String name) {
        ObjectNames.checkObjectName(name);
        try {
            return client.getObject(get -> get.bucket(config.bucket()).key(name));
        } catch (SdkException e) {
            throw translate("get", name, e);
        }
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        ObjectNames.checkObjectName(name);
        ObjectNames.checkRange(name, offset, length);
        if (offset == 0 && length == -1) {
            return get(name);
        }
        if (length == 0) {
            attributes(name); // still tells a missing object apart
            return InputStream.nullInputStream();
        }
        String range = "bytes=" + offset + "-" + (length == -1 ? "" : Long.toString(offset + length - 1));
        try {
            return client.getObject(get -> get.bucket(config.bucket()).key(name).range(range));
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                throw new BucketException("range of " + name + " starts at " + offset + ", beyond its end (bucket " + config.bucket() + ")", e);
            }
            throw translate("get_range", name, e);
        } catch (SdkException e) {
            throw translate("get_range", name, e);
        }
    }

    @Override
    public boolean exists(String name) {
        ObjectNames.checkObjectName(name);
        try {
            head(name);
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && !(e instanceof NoSuchBucketException)) {
                return false;
            }
            throw translate("exists", name, e);
        } catch (SdkException e) {
            throw translate("exists", name, e);
        }
    }

    private HeadObjectResponse head(String name) {
        return client.headObject(head -> head.bucket(config.bucket()).key(name));
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        String prefix = ObjectNames.normalizeDir(dir);
        ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(config.bucket()).prefix(prefix).maxKeys(listPageSize);
        if (!recursive) {
            request.delimiter(DELIMITER);
        }
        try {
            for (ListObjectsV2Response page : client.listObjectsV2Paginator(request.build())) {
                emitInOrder(page, prefix, consumer);
            }
        } catch (SdkException e) {
            throw translate("iter", prefix.isEmpty() ? "/" : prefix, e);
        }
    }

    /** A page lists objects and sub-directories apart, each sorted: merge them into one lexical order. */
    private static void emitInOrder(ListObjectsV2Response page, String prefix, Consumer<String> consumer) {
        Iterator<S3Object> objects = page.contents().iterator();
        Iterator<CommonPrefix> directories = page.commonPrefixes().iterator();
        String object = nextObject(objects, prefix);
        String directory = directories.hasNext() ? directories.next().prefix() : null;
        while (object != null || directory != null) {
            if (directory == null || (object != null && object.compareTo(directory) < 0)) {
                consumer.accept(object);
                object = nextObject(objects, prefix);
            } else {
                consumer.accept(directory);
                directory = directories.hasNext() ? directories.next().prefix() : null;
            }
        }
    }

    /** Skips the directory's own marker object ("dir/"), which some tools create. */
    private static String nextObject(Iterator<S3Object> objects, String prefix) {
        while (objects.hasNext()) {
            String key = objects.next().key();
            if (!key.equals(prefix) && !key.endsWith(DELIMITER)) {
                return key;
            }
        }
        return null;
    }

    @Override
    public void delete(String name) {
        ObjectNames.checkObjectName(name);
        try {
            client.deleteObject(delete -> delete.bucket(config.bucket()).key(name));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (SdkException e) {
            throw translate("delete", name, e);
        }
    }

    @Override
    public ObjectAttributes attributes(String name) {
        ObjectNames.checkObjectName(name);
        try {
            HeadObjectResponse head = head(name);
            return new ObjectAttributes(head.contentLength(), head.lastModified());
        } catch (SdkException e) {
            throw translate("attributes", name, e);
        }
    }

    private RuntimeException translate(String operation, String name, SdkException e) {
        if (e instanceof NoSuchBucketException) {
            return new BucketException("S3 bucket " + config.bucket() + " does not exist at " + endpointForMessages(), e);
        }
        if (e instanceof NoSuchKeyException || (e instanceof S3Exception s3 && s3.statusCode() == 404 && isObjectOperation(operation))) {
            return new ObjectNotFoundException(config.bucket(), name);
        }
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            String detail = s3.awsErrorDetails() == null ? s3.getMessage() : s3.awsErrorDetails().errorMessage();
            return new BucketException("S3 " + operation + " of " + name + " in bucket " + config.bucket() + " at " + endpointForMessages()
                    + " failed: HTTP " + s3.statusCode() + (code == null || code.isEmpty() ? "" : " " + code)
                    + (detail == null ? "" : ": " + detail), e);
        }
        if (e instanceof SdkClientException) {
            String why = Uploads.causedByIo(e) ? " (server unreachable or the connection broke; " + (config.maxRetries() + 1) + " attempts)" : "";
            return new BucketException("S3 " + operation + " of " + name + " in bucket " + config.bucket() + " at " + endpointForMessages()
                    + " failed" + why + ": " + e.getMessage(), e);
        }
        return new BucketException("S3 " + operation + " of " + name + " in bucket " + config.bucket() + " failed: " + e.getMessage(), e);
    }

    private static boolean isObjectOperation(String operation) {
        return !operation.equals("iter");
    }

    private String endpointForMessages() {
        URI endpoint = config.endpointUri();
        return endpoint == null ? "AWS S3" : endpoint.toString();
    }

    @Override
    public String name() {
        return config.bucket();
    }

    @Override
    public void close() {
        client.close();
        credentials.close();
    }

    @Override
    public String toString() {
        return "S3Bucket[" + config + "]";
    }
}
