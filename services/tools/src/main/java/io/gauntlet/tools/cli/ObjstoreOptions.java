package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --objstore.config-file} / {@code --objstore.config}, as Thanos takes them. */
final class ObjstoreOptions {
    @Option(names = "--objstore.config-file", paramLabel = "FILE", description = "Path to the objstore YAML (type, config, prefix).")
    Path configFile;

    @Option(names = "--objstore.config", paramLabel = "YAML", description = "The objstore YAML itself (instead of --objstore.config-file).")
    String config;

    /** @throws IllegalArgumentException when neither or both are given, or the YAML is wrong */
    Bucket open() {
        return open("--objstore", configFile, config);
    }

    static Bucket open(String flag, Path configFile, String config) {
        if ((configFile == null) == (config == null)) {
            throw new IllegalArgumentException("exactly one of " + flag + ".config-file and " + flag + ".config is required");
        }
        return BucketFactory.create(configFile != null ? BucketConfig.load(configFile) : BucketConfig.parse(config));
    }
}
