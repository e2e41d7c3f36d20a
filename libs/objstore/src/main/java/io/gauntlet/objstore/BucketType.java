package io.gauntlet.objstore;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The {@code type} of a Thanos objstore config that Gauntlet implements. */
public enum BucketType {
    FILESYSTEM,
    S3,
    AZURE;

    /** Case-insensitive, like Thanos; other Thanos types (GCS, COS, …) are named as unsupported. */
    public static BucketType parse(String type) {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("objstore config has no 'type' (supported: " + supported() + ")");
        }
        try {
            return valueOf(type.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("objstore type '" + type + "' is not supported (supported: " + supported() + ")");
        }
    }

    private static String supported() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
