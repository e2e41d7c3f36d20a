package io.gauntlet.objstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a function of the repository's {@code scripts/deps.sh} (the same code ./gauntlet uses) from a test JVM,
 * so fixtures start Kafka and s3proxy exactly as the launcher does. The started process is tied to this JVM
 * (GAUNTLET_DEPS_OWNER_PID) and stops when it dies.
 */
public final class DepsScript {
    private static final long TIMEOUT_MINUTES = 10; // a first run fetches the jars from Maven Central

    private DepsScript() {
    }

    /** The repository root: the nearest directory above the working directory that has scripts/deps.sh. */
    public static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("scripts/deps.sh"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no scripts/deps.sh above " + Path.of("").toAbsolutePath()
                + ": run the tests from inside the Gauntlet repository");
    }

    /** Runs {@code function args...}; fails with the script's output when it returns non-zero. */
    public static void run(String function, String... args) {
        Path script = repositoryRoot().resolve("scripts/deps.sh");
        List<String> command = new ArrayList<>(List.of("bash", "-c", "source \"$0\" && " + function + " \"$@\"", script.toString()));
        command.addAll(List.of(args));
        Path output = null;
        try {
            output = Files.createTempFile("gauntlet-deps-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("GAUNTLET_DEPS_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(function + " did not finish within " + TIMEOUT_MINUTES + " minutes:\n" + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(function + " " + String.join(" ", args) + " failed (exit " + process.exitValue() + "):\n" + Files.readString(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run scripts/deps.sh " + function, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + function, e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file
                }
            }
        }
    }

    /** A loopback port that nothing listens on right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
