package io.gauntlet.objstore;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * {@code type: S3} with the Thanos config keys: {@code bucket}, {@code endpoint} (host[:port], or a full URL),
 * {@code region}, {@code access_key}/{@code secret_key}/{@code session_token} (else the environment, else the AWS
 * default chain), {@code insecure} (http), {@code bucket_lookup_type}, {@code part_size}, {@code max_retries}
 * the {@code http_config} timeouts {@code tls_handshake_timeout} (used as the connect timeout) and
 * {@code response_header_timeout} (the socket read timeout), and {@code sts_endpoint} (the STS that IRSA's web identity
 * token is exchanged at; default: the SDK's regional one). {@link #toString()} never shows a credential.
 */
public record S3Config(
        String bucket,
        String endpoint,
        String region,
        String accessKey,
        String secretKey,
        String sessionToken,
        boolean insecure,
        BucketLookupType bucketLookupType,
        long partSize,
        int maxRetries,
        Duration connectTimeout,
        Duration responseHeaderTimeout,
        String stsEndpoint) implements BackendConfig {

    /** Thanos' default part size: 64 MiB. */
    public static final long DEFAULT_PART_SIZE = 64L * 1024 * 1024;
    /** S3 rejects smaller parts (except the last one). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final int DEFAULT_MAX_RETRIES = 3;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_RESPONSE_HEADER_TIMEOUT = Duration.ofMinutes(2);

    private static final String REDACTED = "<redacted>";

    public S3Config {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("s3 config needs a 'bucket'");
        }
        endpoint = endpoint == null ? "" : endpoint.trim();
        region = region == null ? "" : region.trim();
        accessKey = emptyToNull(accessKey);
        secretKey = emptyToNull(secretKey);
        sessionToken = emptyToNull(sessionToken);
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("s3 config sets only one of 'access_key' and 'secret_key': set both or neither");
        }
        bucketLookupType = bucketLookupType == null ? BucketLookupType.AUTO : bucketLookupType;
        if (partSize == 0) {
            partSize = DEFAULT_PART_SIZE;
        }
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("s3 part_size must be at least " + MIN_PART_SIZE + " bytes (5 MiB), got " + partSize);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("s3 max_retries must not be negative, got " + maxRetries);
        }
        connectTimeout = positiveOrDefault(connectTimeout, DEFAULT_CONNECT_TIMEOUT, "connect timeout");
        responseHeaderTimeout = positiveOrDefault(responseHeaderTimeout, DEFAULT_RESPONSE_HEADER_TIMEOUT, "http_config.response_header_timeout");
        endpointUri(endpoint, insecure); // fail early on a malformed endpoint
        stsEndpoint = stsEndpoint == null ? "" : stsEndpoint.trim();
        stsEndpointUri(stsEndpoint);
    }

    /** A config for an S3-compatible server at {@code endpointUrl} (http or https URL), path-style, defaults elsewhere. */
    public static S3Config of(String bucket, String endpointUrl, String accessKey, String secretKey) {
        return new S3Config(bucket, endpointUrl, "", accessKey, secretKey, null, endpointUrl.startsWith("http://"),
                BucketLookupType.PATH, 0, DEFAULT_MAX_RETRIES, null, null, "");
    }

    public S3Config withPartSize(long newPartSize) {
        return new S3Config(bucket, endpoint, region, accessKey, secretKey, sessionToken, insecure, bucketLookupType,
                newPartSize, maxRetries, connectTimeout, responseHeaderTimeout, stsEndpoint);
    }

    public S3Config withMaxRetries(int newMaxRetries) {
        return new S3Config(bucket, endpoint, region, accessKey, secretKey, sessionToken, insecure, bucketLookupType,
                partSize, newMaxRetries, connectTimeout, responseHeaderTimeout, stsEndpoint);
    }

    public S3Config withTimeouts(Duration newConnectTimeout, Duration newResponseHeaderTimeout) {
        return new S3Config(bucket, endpoint, region, accessKey, secretKey, sessionToken, insecure, bucketLookupType,
                partSize, maxRetries, newConnectTimeout, newResponseHeaderTimeout, stsEndpoint);
    }

    public S3Config withStsEndpoint(String newStsEndpoint) {
        return new S3Config(bucket, endpoint, region, accessKey, secretKey, sessionToken, insecure, bucketLookupType,
                partSize, maxRetries, connectTimeout, responseHeaderTimeout, newStsEndpoint);
    }

    /** The STS endpoint as a URL (https unless a scheme is given), or null for the SDK's own. */
    public URI stsEndpointUri() {
        return stsEndpointUri(stsEndpoint);
    }

    private static URI stsEndpointUri(String stsEndpoint) {
        if (stsEndpoint == null || stsEndpoint.isEmpty()) {
            return null;
        }
        try {
            URI uri = URI.create(stsEndpoint.contains("://") ? stsEndpoint : "https://" + stsEndpoint);
            if (uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below without the parser's detail
        }
        throw new IllegalArgumentException("s3 sts_endpoint '" + stsEndpoint + "' is not host[:port] or an http(s) URL");
    }

    @Override
    public BucketType type() {
        return BucketType.S3;
    }

    /** The endpoint as a URL, or null for AWS' own endpoint of the region. */
    public URI endpointUri() {
        return endpointUri(endpoint, insecure);
    }

    private static URI endpointUri(String endpoint, boolean insecure) {
        if (endpoint.isEmpty()) {
            return null;
        }
        String url = endpoint.contains("://") ? endpoint : (insecure ? "http://" : "https://") + endpoint;
        try {
            URI uri = URI.create(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
                throw new IllegalArgumentException("s3 endpoint '" + endpoint + "' is not host[:port] or an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("s3 endpoint '" + endpoint + "' is not host[:port] or an http(s) URL", e);
        }
    }

    /** Whether the endpoint is AWS' own (where virtual-hosted addressing is the norm). */
    public boolean isAwsEndpoint() {
        URI uri = endpointUri();
        return uri == null || uri.getHost().toLowerCase(Locale.ROOT).endsWith(".amazonaws.com");
    }

    public boolean pathStyle() {
        return switch (bucketLookupType) {
            case PATH -> true;
            case VIRTUAL_HOSTED -> false;
            case AUTO -> !isAwsEndpoint();
        };
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static Duration positiveOrDefault(Duration value, Duration fallback, String what) {
        if (value == null || value.isZero()) {
            return fallback;
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException("s3 " + what + " must not be negative, got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return "S3Config[bucket=" + bucket + ", endpoint=" + endpoint + ", region=" + region
                + ", access_key=" + (accessKey == null ? "" : REDACTED)
                + ", secret_key=" + (secretKey == null ? "" : REDACTED)
                + ", session_token=" + (sessionToken == null ? "" : REDACTED)
                + ", insecure=" + insecure + ", bucket_lookup_type=" + bucketLookupType
                + ", part_size=" + partSize + ", max_retries=" + maxRetries
                + ", connect_timeout=" + connectTimeout + ", response_header_timeout=" + responseHeaderTimeout
                + ", sts_endpoint=" + stsEndpoint + "]";
    }
}
