package io.gauntlet.objstore;

/** Validation and normalisation of object names and listing directories shared by every backend. */
final class ObjectNames {
    private ObjectNames() {
    }

    /** An object name must be relative, non-empty, not a directory and free of "." and ".." segments. */
    static String checkObjectName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("object name must not be empty");
        }
        if (name.endsWith(Bucket.DELIMITER)) {
            throw new IllegalArgumentException("object name must not end with '/': " + name);
        }
        checkSegments(name, "object name");
        return name;
    }

    /** "" or "/" is the root; otherwise the directory with exactly one trailing "/". */
    static String normalizeDir(String dir) {
        if (dir == null || dir.isEmpty() || dir.equals(Bucket.DELIMITER)) {
            return "";
        }
        String trimmed = dir.endsWith(Bucket.DELIMITER) ? dir.substring(0, dir.length() - 1) : dir;
        checkSegments(trimmed, "directory");
        return trimmed + Bucket.DELIMITER;
    }

    private static void checkSegments(String name, String what) {
        if (name.startsWith(Bucket.DELIMITER)) {
            throw new IllegalArgumentException(what + " must be relative (no leading '/'): " + name);
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain NUL: " + name);
        }
        for (String segment : name.split(Bucket.DELIMITER, -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException(what + " must not contain empty, '.' or '..' segments: " + name);
            }
        }
    }

    static void checkRange(String name, long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("range offset must not be negative, got " + offset + " for " + name);
        }
        if (length < -1) {
            throw new IllegalArgumentException("range length must be -1 (to the end) or >= 0, got " + length + " for " + name);
        }
    }
}
