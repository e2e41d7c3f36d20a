package io.gauntlet.frontend.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/** Debian's memcached on a free loopback port (installed by {@code ./gauntlet test}); tests skip when it is missing. */
public final class MemcachedServer implements AutoCloseable {
    private final int port;
    private Process process;

    private MemcachedServer(int port) {
        this.port = port;
    }

    public static MemcachedServer start() throws IOException {
        MemcachedServer server = new MemcachedServer(freePort());
        server.restart();
        return server;
    }

    private static Path binary() {
        for (String candidate : List.of("/usr/bin/memcached", "/usr/local/bin/memcached")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        Assumptions.abort("memcached is not installed (apt-get install memcached; ./gauntlet test installs it)");
        return null;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Starts it (again, on the same port, empty), and waits until it takes connections. */
    public void restart() throws IOException {
        List<String> command = List.of(binary().toString(), "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0", "-m", "64",
                "-u", "root", "-I", "8m");
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Awaitility.await("memcached on " + address()).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    /** Kills it, as an outage. */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
