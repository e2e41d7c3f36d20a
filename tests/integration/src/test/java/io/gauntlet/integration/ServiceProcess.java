package io.gauntlet.integration;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A process the test starts the way an operator would (Prometheus, a service's Quarkus fast-jar), with its output in
 * a log file, ready once an HTTP URL answers 200. {@link #close()} stops it.
 */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;
    private String url;
    private String grpcAddress;

    private ServiceProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ServiceProcess start(String name, List<String> command, Path log, String readyUrl) throws IOException {
        return start(name, command, Map.of(), log, readyUrl);
    }

    /** As {@link #start(String, List, Path, String)}, with these variables added to the environment. */
    static ServiceProcess start(String name, List<String> command, Map<String, String> environment, Path log, String readyUrl) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        ServiceProcess started = new ServiceProcess(name, process, log);
        try {
            await(name + " ready at " + readyUrl).atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + started.logTail());
                }
                try {
                    return get(readyUrl).statusCode() == 200;
                } catch (IOException notListeningYet) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** {@code java -jar services/<module>/target/quarkus-app/quarkus-run.jar} with the given system properties. */
    static ServiceProcess startService(String module, Path workDirectory, int httpPort, List<String> properties) throws IOException {
        return startService(module, module, workDirectory, httpPort, properties, Map.of());
    }

    /** As above, logging to {@code <name>.log}: for a second process of the same service. */
    static ServiceProcess startService(String module, String name, Path workDirectory, int httpPort, List<String> properties)
            throws IOException {
        return startService(module, name, workDirectory, httpPort, properties, Map.of());
    }

    /** As above, with environment variables (as a Kubernetes pod gets them). */
    static ServiceProcess startService(String module, String name, Path workDirectory, int httpPort, List<String> properties,
                                       Map<String, String> environment) throws IOException {
        return startJar(rootDirectory().resolve("services").resolve(module).resolve("target/quarkus-app/quarkus-run.jar"), name, workDirectory,
                httpPort, properties, environment);
    }

    /** As above, from a fast-jar anywhere (another build of a service, for a before/after bench). */
    static ServiceProcess startJar(Path jar, String name, Path workDirectory, int httpPort, List<String> properties,
                                   Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the services first (mvn install)");
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java")); // the JDK running the tests (25)
        command.addAll(List.of("-Xmx512m", "-XX:+UseSerialGC", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                "-Dquarkus.banner.enabled=false"));
        command.addAll(properties);
        command.addAll(List.of("-jar", jar.toString()));
        return start(name, command, environment, workDirectory.resolve(name + ".log"), "http://127.0.0.1:" + httpPort + "/-/ready");
    }

    /** {@code promtool tsdb create-blocks-from openmetrics} of {@code openMetrics} into {@code dataDirectory}. */
    static void createBlocks(Path work, String openMetrics, Path dataDirectory) throws IOException, InterruptedException {
        Path promtool = executable("promtool");
        Path input = Files.createTempFile(work, "samples", ".om");
        Files.writeString(input, openMetrics);
        Process create = new ProcessBuilder(promtool.toString(), "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                input.toString(), dataDirectory.toString()).redirectErrorStream(true).start();
        String output = new String(create.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (create.waitFor() != 0) {
            throw new IOException("promtool failed: " + output);
        }
        Files.delete(input);
    }

    /**
     * Prometheus 2.42 over promtool's blocks of {@code openMetrics} (in {@code work/name}; 2 h blocks, as a sidecar
     * wants), nothing to scrape, with the given global section lines (e.g. external labels); its URL is {@link #url()}.
     */
    static ServiceProcess startPrometheus(Path work, String name, String openMetrics, String globalLines) throws IOException, InterruptedException {
        Path dataDirectory = work.resolve(name);
        createBlocks(work, openMetrics, dataDirectory);
        Path binary = executable("prometheus");
        Path config = work.resolve(name + ".yml");
        Files.writeString(config, "global:\n  scrape_interval: 1h\n" + globalLines);
        int port = freePort();
        String url = "http://127.0.0.1:" + port;
        ServiceProcess started = start(name, List.of(binary.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dataDirectory,
                "--storage.tsdb.retention.time=100y", "--storage.tsdb.min-block-duration=2h", "--storage.tsdb.max-block-duration=2h",
                "--web.listen-address=127.0.0.1:" + port), work.resolve(name + ".log"), url + "/-/ready");
        started.url = url;
        return started;
    }

    /** The base URL of a Prometheus or querier started here (of a store, its HTTP port: health and metrics). */
    String url() {
        return url;
    }

    /** The StoreAPI address of a store gateway or sidecar started here. */
    String grpcAddress() {
        return grpcAddress;
    }

    /** The store gateway's fast-jar over a FILESYSTEM bucket directory, ready after its first sync. */
    static ServiceProcess startStoreGateway(Path work, Path bucket) throws IOException {
        return startStoreGateway(work, "type: FILESYSTEM\nconfig:\n  directory: " + bucket + "\n");
    }

    /** The store gateway's fast-jar over the bucket of an objstore YAML (kept in {@code work}), ready after its first sync. */
    static ServiceProcess startStoreGateway(Path work, String objstoreYaml) throws IOException {
        Path objstore = work.resolve("objstore.yml");
        Files.writeString(objstore, objstoreYaml);
        return startStoreApi("store-gateway", work, List.of("-Dgauntlet.store-gateway.objstore-config-file=" + objstore,
                "-Dgauntlet.store-gateway.data-dir=" + work.resolve("gateway-data")));
    }

    /** The sidecar's fast-jar beside a Prometheus, ready once it has read the Prometheus' external labels. */
    static ServiceProcess startSidecar(Path work, String prometheusUrl) throws IOException {
        return startSidecar(work, "sidecar", prometheusUrl);
    }

    /** As above, logging to {@code <name>.log}: for a second sidecar. */
    static ServiceProcess startSidecar(Path work, String name, String prometheusUrl) throws IOException {
        return startStoreApi("sidecar", name, work, List.of("-Dgauntlet.sidecar.prometheus-url=" + prometheusUrl));
    }

    private static ServiceProcess startStoreApi(String module, Path work, List<String> properties) throws IOException {
        return startStoreApi(module, module, work, properties);
    }

    private static ServiceProcess startStoreApi(String module, String name, Path work, List<String> properties) throws IOException {
        String grpc = "127.0.0.1:" + freePort();
        List<String> all = new ArrayList<>(properties);
        all.add("-Dgauntlet.grpc.address=" + grpc);
        int http = freePort();
        ServiceProcess started = startService(module, name, work, http, all);
        started.grpcAddress = grpc;
        started.url = "http://127.0.0.1:" + http; // its /metrics
        return started;
    }

    /** The querier's fast-jar over the given stores, returned once it sees every one of them healthy. */
    static ServiceProcess startQuerier(Path work, List<ServiceProcess> stores) throws IOException {
        return startQuerier(work, "querier", stores, List.of());
    }

    /**
     * A querier named {@code name} (its log file) over the given stores (other queriers among them), serving the
     * StoreAPI on its own gRPC port ({@link #grpcAddress()}), returned once it sees every store healthy.
     */
    static ServiceProcess startQuerier(Path work, String name, List<ServiceProcess> stores, List<String> properties) throws IOException {
        int port = freePort();
        String grpc = "127.0.0.1:" + freePort();
        List<String> endpoints = stores.stream().map(ServiceProcess::grpcAddress).toList();
        List<String> all = new ArrayList<>(List.of("-Dgauntlet.grpc.address=" + grpc,
                "-Dgauntlet.querier.endpoints=" + String.join(",", endpoints), "-Dgauntlet.querier.info-interval=1s"));
        all.addAll(properties);
        ServiceProcess querier = startService("querier", name, work, port, all);
        querier.url = "http://127.0.0.1:" + port;
        querier.grpcAddress = grpc;
        try {
            await("the querier sees " + endpoints + " healthy").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> healthyStores(querier.url) == endpoints.size());
        } catch (RuntimeException e) {
            querier.close();
            throw e;
        }
        return querier;
    }

    private static int healthyStores(String querierUrl) throws IOException {
        JsonNode stores = new ObjectMapper().readTree(get(querierUrl + "/api/v1/stores").body()).path("data");
        int healthy = 0;
        for (JsonNode type : stores) {
            for (JsonNode store : type) {
                healthy += store.path("healthy").asBoolean() ? 1 : 0;
            }
        }
        return healthy;
    }

    static Path executable(String name) {
        for (String directory : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
            if (!directory.isEmpty() && Files.isExecutable(Path.of(directory, name))) {
                return Path.of(directory, name);
            }
        }
        Assumptions.abort(name + " is not installed (apt-get install prometheus): skipping the comparison with Prometheus 2.42");
        return null;
    }

    static Path rootDirectory() {
        return Path.of(System.getProperty("gauntlet.root.dir", "../..")).toAbsolutePath().normalize();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    static HttpResponse<String> get(String url) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Everything the process wrote so far. */
    String logText() throws IOException {
        return Files.readString(log);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, as a crash: no shutdown hook runs. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** CPU time the process has used so far (user + system, all its threads). */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** The processes a test class started, stopped together in reverse order. */
    static final class Group implements AutoCloseable {
        private final List<ServiceProcess> started = new ArrayList<>();

        ServiceProcess add(ServiceProcess process) {
            started.add(process);
            return process;
        }

        @Override
        public void close() {
            for (ServiceProcess process : started.reversed()) {
                process.close();
            }
            started.clear();
        }
    }
}
