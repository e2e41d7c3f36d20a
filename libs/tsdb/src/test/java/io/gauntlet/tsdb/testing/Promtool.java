package io.gauntlet.tsdb.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real {@code promtool} (Prometheus 2.42) for tests. {@link #require()} skips the calling test with a clear
 * message when promtool is not installed ({@code ./gauntlet test} installs it).
 */
public final class Promtool {
    private static final long TIMEOUT_SECONDS = 300;
    private final Path executable;

    private Promtool(Path executable) {
        this.executable = executable;
    }

    /** Finds promtool on the PATH (or {@code /usr/bin}); skips the test when it is missing. */
    public static Promtool require() {
        Path found = find();
        Assumptions.assumeTrue(found != null,
                "promtool not found on PATH: skipping this Prometheus compatibility test (install Debian package 'prometheus' or run ./gauntlet test)");
        return new Promtool(found);
    }

    private static Path find() {
        List<String> directories = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)));
        directories.add("/usr/bin");
        for (String directory : directories) {
            if (directory.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(directory, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * {@code promtool tsdb create-blocks-from openmetrics <input> <outputDir>}; returns the block directories it
     * created, sorted by name (ULIDs sort by time).
     */
    public List<Path> createBlocksFromOpenMetrics(Path input, Path outputDirectory) throws IOException {
        Files.createDirectories(outputDirectory);
        run("tsdb", "create-blocks-from", "openmetrics", "--quiet", input.toString(), outputDirectory.toString());
        try (Stream<Path> entries = Files.list(outputDirectory)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).sorted().toList();
        }
    }

    /** {@code promtool tsdb dump <dir>}: lines {@code {labels} value timestamp}, series after series. */
    public List<String> dump(Path databaseDirectory) throws IOException {
        return run("tsdb", "dump", databaseDirectory.toString()).lines().toList();
    }

    /** Runs promtool with the arguments and returns its standard output; fails with its error output otherwise. */
    public String run(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable.toString());
        command.addAll(List.of(arguments));
        Path stdout = Files.createTempFile("promtool", ".out");
        Path stderr = Files.createTempFile("promtool", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            boolean finished;
            try {
                finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command, e);
            }
            if (!finished) {
                process.destroyForcibly();
                throw new IOException(command + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(command + " exited with " + process.exitValue() + ": "
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }
}
