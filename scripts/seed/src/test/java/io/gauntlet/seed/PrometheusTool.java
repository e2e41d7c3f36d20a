package io.gauntlet.seed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Prometheus 2.42's own tools for the reference side of the tests; tests skip with a message when they are absent. */
final class PrometheusTool {
    private PrometheusTool() {
    }

    static Path require(String name) {
        for (String directory : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin").split(File.pathSeparator)) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, name))) {
                return Path.of(directory, name);
            }
        }
        Assumptions.abort(name + " not found on PATH: skipping the comparison with Prometheus 2.42 (./gauntlet test installs it)");
        return null;
    }

    /** {@code promtool tsdb create-blocks-from openmetrics}. */
    static void createBlocks(Path openMetrics, Path output) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(require("promtool").toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                openMetrics.toString(), output.toString()).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("promtool create-blocks-from openmetrics failed: " + log);
        }
    }
}
