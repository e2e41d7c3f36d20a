package io.gauntlet.shipper;

import io.gauntlet.objstore.DepsScript;
import io.gauntlet.objstore.S3Config;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A private s3proxy that can be stopped and started again on the same port, data and credentials (the objstore
 * fixture's private server picks new credentials on each start), through the repository's scripts/deps.sh.
 */
final class RestartableS3Proxy implements AutoCloseable {
    private final Path directory;
    private final int port = DepsScript.freePort();
    private final String accessKey = "shipper-test";
    private final String secretKey = UUID.randomUUID().toString().replace("-", "");

    RestartableS3Proxy() throws IOException {
        directory = Files.createTempDirectory("gauntlet-shipper-s3proxy-");
        start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    S3Config newBucket(String name) {
        try (S3Client client = adminClient()) {
            client.createBucket(create -> create.bucket(name));
        }
        return S3Config.of(name, endpoint(), accessKey, secretKey);
    }

    private S3Client adminClient() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }

    void start() {
        run("deps_s3proxy_start", directory.toString(), Integer.toString(port));
    }

    void stop() {
        run("deps_s3proxy_stop", directory.toString());
    }

    private void run(String function, String... args) {
        Path script = DepsScript.repositoryRoot().resolve("scripts/deps.sh");
        List<String> command = new ArrayList<>(List.of("bash", "-c", "source \"$0\" && " + function + " \"$@\"", script.toString()));
        command.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("gauntlet-deps-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("GAUNTLET_DEPS_OWNER_PID", Long.toString(ProcessHandle.current().pid()));
            builder.environment().put("GAUNTLET_S3_ACCESS_KEY", accessKey);
            builder.environment().put("GAUNTLET_S3_SECRET_KEY", secretKey);
            Process process = builder.start();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(function + " failed: " + Files.readString(log));
            }
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + function, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + function, e);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
        TsdbBlocks.deleteTree(directory);
    }
}
