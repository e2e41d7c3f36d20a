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
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A store that speaks only mutual TLS (the server side every Gauntlet service runs, {@link GrpcServerTls}) over the
 * parity data, a CA made now, and the querier configured as a Thanos querier would be with {@code --grpc-client-tls-*}.
 * The files live in a directory the tests find as {@code test.tls-dir}.
 */
public class SecuredStoresResource implements QuarkusTestResourceLifecycleManager {
    private Path directory;
    private Server server;
    private GrpcServerTls tls;

    @Override
    public Map<String, String> start() {
        try {
            directory = Files.createTempDirectory("querier-tls");
            TestCertificates ca = TestCertificates.newCa("querier-test-ca");
            ca.writeCa(directory.resolve("ca.crt"));
            ca.server("store", KeyForm.EC_PKCS8).write(directory.resolve("store.crt"), directory.resolve("store.key"), KeyForm.EC_PKCS8);
            ca.client("querier", KeyForm.RSA_PKCS1).write(directory.resolve("querier.crt"), directory.resolve("querier.key"), KeyForm.RSA_PKCS1);
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
            config.put("test.tls-dir", directory.toString());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
    }
}
