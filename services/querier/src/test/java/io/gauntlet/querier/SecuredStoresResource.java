package io.gauntlet.querier;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.service.GrpcServerTls;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TestCertificates;
import io.gauntlet.tls.TestCertificates.KeyForm;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A querier secured end to end with files made now (a CA, keys, a random password): its store speaks only mutual TLS
 * (the server side every Gauntlet service runs, {@link GrpcServerTls}) and the querier reaches it with Thanos' client TLS
 * flags; the querier's HTTP port takes a Prometheus web config file (TLS, one basic auth user); a real Prometheus 2.42
 * is given the same web config file, to compare answers with. The log goes to a file the tests read.
 */
public class SecuredStoresResource implements QuarkusTestResourceLifecycleManager {
    private Path directory;
    private Server server;
    private GrpcServerTls tls;
    private Process prometheus;
    private boolean openProbes;

    @Override
    public void init(Map<String, String> initArgs) {
        openProbes = Boolean.parseBoolean(initArgs.getOrDefault("unauthenticatedProbes", "false"));
    }

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("querier-tls");
            TestCertificates ca = TestCertificates.newCa("querier-test-ca");
            ca.writeCa(directory.resolve("ca.crt"));
            ca.server("store", KeyForm.EC_PKCS8).write(directory.resolve("store.crt"), directory.resolve("store.key"), KeyForm.EC_PKCS8);
            ca.client("querier", KeyForm.RSA_PKCS1).write(directory.resolve("querier.crt"), directory.resolve("querier.key"), KeyForm.RSA_PKCS1);
            ca.server("querier-http", KeyForm.EC_SEC1).write(directory.resolve("http.crt"), directory.resolve("http.key"), KeyForm.EC_SEC1);
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            String password = HexFormat.of().formatHex(random);
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            Files.writeString(directory.resolve("web.yml"), "tls_server_config:\n  cert_file: http.crt\n  key_file: http.key\n"
                    + "basic_auth_users:\n  grafana: " + OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 10) + "\n");

            ServerTlsSettings settings = ServerTlsSettings.of(Optional.of(directory.resolve("store.crt").toString()),
                    Optional.of(directory.resolve("store.key").toString()), Optional.of(directory.resolve("ca.crt").toString()), "1.3", "")
                    .orElseThrow();
            tls = new GrpcServerTls(settings, "gRPC test store", reason -> { });
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
            MemoryChunkSource source = TestData.paritySource();
            for (ServerServiceDefinition service : new StoreServer(source).services()) {
                builder.addService(service);
            }
            server = tls.applyTo(builder).build().start();

            Map<String, String> config = new HashMap<>();
            config.put("gauntlet.querier.endpoints", "127.0.0.1:" + server.getPort());
            config.put("gauntlet.querier.info-interval", "1s");
            config.put("gauntlet.grpc.client-tls-secure", "true");
            config.put("gauntlet.grpc.client-tls-cert", directory.resolve("querier.crt").toString());
            config.put("gauntlet.grpc.client-tls-key", directory.resolve("querier.key").toString());
            config.put("gauntlet.grpc.client-tls-ca", directory.resolve("ca.crt").toString());
            config.put("gauntlet.http.config-file", directory.resolve("web.yml").toString());
            config.put("gauntlet.http.unauthenticated-probes", String.valueOf(openProbes));
            config.put("quarkus.log.file.enabled", "true");
            config.put("quarkus.log.category.\"io.gauntlet\".level", "DEBUG");
            config.put("quarkus.log.file.path", directory.resolve("querier.log").toString());
            config.put("test.tls-dir", directory.toString());
            config.put("test.http-password", password);
            config.put("test.prometheus-tls-url", openProbes ? "" : startPrometheus());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prometheus 2.42 on an empty TSDB with the same web config file; "" when it is not installed. */
    private String startPrometheus() throws IOException {
        Path binary = Path.of("/usr/bin/prometheus");
        if (!Files.isExecutable(binary)) {
            return "";
        }
        Files.writeString(directory.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + directory.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + directory.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + port,
                "--web.config.file=" + directory.resolve("web.yml"), "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
        String url = "https://127.0.0.1:" + port;
        StoresResource.awaitPrometheus(prometheus, directory.resolve("prometheus.log"), httpsClient(directory), url + "/-/healthy", 401);
        return url;
    }

    /** An HTTPS client that trusts the test CA of {@code directory}. */
    static HttpClient httpsClient(Path directory) {
        try (InputStream ca = Files.newInputStream(directory.resolve("ca.crt"))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(60)).build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What must never show in a log or an answer: the password and every line of every private key made here. */
    static List<String> secrets(Path directory, String password) throws IOException {
        List<String> out = new ArrayList<>(List.of(password));
        try (var files = Files.list(directory)) {
            for (Path key : files.filter(f -> f.toString().endsWith(".key")).toList()) {
                for (String line : Files.readAllLines(key)) {
                    if (!line.startsWith("-----") && line.length() >= 32) {
                        out.add(line);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.shutdownNow();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (tls != null) {
            tls.close();
        }
        StoresResource.stopProcess(prometheus);
        if (directory != null) {
            try (var files = Files.walk(directory)) {
                for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file); // test keys live no longer than the test
                }
            } catch (IOException e) {
                // a leftover temporary directory is not a test failure
            }
        }
    }
}
