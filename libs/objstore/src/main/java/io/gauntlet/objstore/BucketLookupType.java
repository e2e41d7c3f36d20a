package io.gauntlet.objstore;

import java.util.Locale;

/** How the S3 bucket is addressed: in the host name (virtual-hosted) or in the path (path, for s3proxy/MinIO). */
public enum BucketLookupType {
    /** Virtual-hosted for AWS endpoints, path style for any other endpoint (as MinIO's client decides). */
    AUTO,
    VIRTUAL_HOSTED,
    PATH;

    public static BucketLookupType parse(String value) {
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "virtual-hosted", "virtual-host", "dns" -> VIRTUAL_HOSTED;
            case "path" -> PATH;
            default -> throw new IllegalArgumentException(
                    "s3 bucket_lookup_type '" + value + "' is not one of auto, virtual-hosted, path");
        };
    }
}
