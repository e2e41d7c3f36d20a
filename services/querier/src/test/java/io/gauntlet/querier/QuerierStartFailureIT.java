package io.gauntlet.querier;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tls.TestCertificates;
import io.gauntlet.tls.TestCertificates.KeyForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged querier refuses to start on unusable security settings, exits non-zero, and says why in one line. */
class QuerierStartFailureIT {
    @TempDir
    Path work;

    @Test
    void aWebConfigFileThatCannotBeUsedStopsTheStartNamingTheProblemNotTheSecret() throws Exception {
        Files.writeString(work.resolve("web.yml"), "basic_auth_users:\n  grafana: hunter2-in-clear\n");
        String output = runExpectingFailure("-Dgauntlet.http.config-file=" + work.resolve("web.yml"));
        assertThat(output).contains("invalid gauntlet.http.config-file: basic_auth_users: the password of user \"grafana\" is not a bcrypt hash")
                .doesNotContain("hunter2");

        TestCertificates.newCa("it-ca").server("q", KeyForm.EC_PKCS8).write(work.resolve("http.crt"), work.resolve("http.key"), KeyForm.EC_PKCS8);
        Files.writeString(work.resolve("web.yml"), "tls_server_config:\n  cert_file: http.crt\n  key_file: nowhere.key\n");
        assertThat(runExpectingFailure("-Dgauntlet.http.config-file=" + work.resolve("web.yml")))
                .contains("invalid gauntlet.http.config-file: key file " + work.resolve("nowhere.key") + " does not exist");
    }

    @Test
    void grpcServerTlsWithoutItsKeyStopsTheStart() throws Exception {
        assertThat(runExpectingFailure("-Dgauntlet.grpc.server-tls-cert=" + work.resolve("server.crt")))
                .contains("gRPC server TLS cannot start: both gauntlet.grpc.server-tls-cert and gauntlet.grpc.server-tls-key must be set for TLS");
    }

    private String runExpectingFailure(String... properties) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=0", "-Dgauntlet.grpc.address=127.0.0.1:0"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString()));
        Path log = work.resolve("querier.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the querier did not exit within 90 s:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isNotZero();
        return output;
    }
}
