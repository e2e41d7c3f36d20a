package io.gauntlet.shipper.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.objstore.DepsScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged service refuses to start on a broken set-up, exits non-zero, and says why in one line. */
class ShipperStartFailureIT {
    @TempDir
    Path work;

    @Test
    void malformedObjstoreYamlFailsTheStartNamingLineAndColumnButNoSecret() throws Exception {
        String output = runExpectingFailure("-Dgauntlet.shipper.objstore-config=type: S3\nconfig:\n  bucket: [x\n  secret_key: hunter2\n");
        assertThat(output).contains("invalid objstore config: malformed objstore YAML at line 4, column 13").doesNotContain("hunter2");
    }

    @Test
    void unreachableBucketFailsTheStart() throws Exception {
        String output = runExpectingFailure("-Dgauntlet.shipper.objstore-config=type: S3\nconfig:\n  bucket: gone\n  endpoint: http://127.0.0.1:"
                + DepsScript.freePort() + "\n  access_key: key\n  secret_key: secret\n  max_retries: 1\n");
        assertThat(output).contains("objstore bucket gone (S3) is not reachable").doesNotContain("secret\n");
    }

    @Test
    void missingObjstoreConfigFailsTheStart() throws Exception {
        assertThat(runExpectingFailure()).contains("no objstore config: set the objstore config file or the inline objstore config");
    }

    private String runExpectingFailure(String... properties) throws Exception {
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Daws.disableEc2Metadata=true", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0",
                "-Dgauntlet.shipper.tsdb-path=" + tsdb, "-Dgauntlet.shipper.external-labels=cluster=it"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString()));
        Path log = work.resolve("shipper.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the shipper did not exit within 90 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isNotZero();
        return output;
    }
}
