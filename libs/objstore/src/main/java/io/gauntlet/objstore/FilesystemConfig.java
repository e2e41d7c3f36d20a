package io.gauntlet.objstore;

import java.nio.file.Path;
import java.util.Objects;

/** {@code type: FILESYSTEM}, {@code config: {directory: /path}}. */
public record FilesystemConfig(Path directory) implements BackendConfig {
    public FilesystemConfig {
        Objects.requireNonNull(directory, "directory");
    }

    @Override
    public BucketType type() {
        return BucketType.FILESYSTEM;
    }
}
