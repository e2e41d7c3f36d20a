package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/deps.sh as ./gauntlet and the fixtures use it: idempotent, and clear about what went wrong. */
class DepsScriptTest {
    @TempDir
    Path temp;

    @Test
    void startingTwiceOnTheSamePortIsANoOpAndADifferentPortIsRefused() throws IOException {
        int port = DepsScript.freePort();
        Path dir = temp.resolve("s3proxy");
        try {
            DepsScript.run("deps_s3proxy_start", dir.toString(), Integer.toString(port));
            String pid = Files.readString(dir.resolve("s3proxy.pid")).trim();

            DepsScript.run("deps_s3proxy_start", dir.toString(), Integer.toString(port));

            assertThat(Files.readString(dir.resolve("s3proxy.pid")).trim()).as("still the same process").isEqualTo(pid);
            assertThatThrownBy(() -> DepsScript.run("deps_s3proxy_start", dir.toString(), Integer.toString(DepsScript.freePort())))
                    .hasMessageContaining("already runs on port " + port);
        } finally {
            DepsScript.run("deps_s3proxy_stop", dir.toString());
        }
        assertThat(dir.resolve("s3proxy.pid")).doesNotExist();
        DepsScript.run("deps_s3proxy_stop", dir.toString()); // stopping a stopped one is fine
    }

    @Test
    void aPortInUseIsNamedInsteadOfAHang() throws IOException {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String port = Integer.toString(busy.getLocalPort());

            assertThatThrownBy(() -> DepsScript.run("deps_s3proxy_start", temp.resolve("s3").toString(), port))
                    .hasMessageContaining("127.0.0.1:" + port + " is already in use");
            assertThatThrownBy(() -> DepsScript.run("deps_kafka_start", temp.resolve("kafka").toString(), port))
                    .hasMessageContaining("127.0.0.1:" + port + " is already in use");
        }
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> DepsScript.run("deps_kafka_start", temp.toString(), "not-a-port"))
                .hasMessageContaining("port must be a number");
        assertThatThrownBy(() -> DepsScript.run("deps_s3proxy_start"))
                .hasMessageContaining("usage: deps_s3proxy_start <dir> <port>");
    }
}
