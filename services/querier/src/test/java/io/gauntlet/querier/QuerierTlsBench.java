package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierBench.PATHS;
import static io.gauntlet.querier.QuerierBench.jvmCpuNanos;
import static io.gauntlet.querier.QuerierBench.loadAverage;
import static io.gauntlet.querier.QuerierBench.median;
import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.promql.engine.EngineOptions;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.QueryResult;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.PrometheusJson;
import io.gauntlet.query.StoreQueryable;
import io.gauntlet.query.UrlEncodedForm;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.service.GrpcServerTls;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tls.GrpcClientTls;
import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TestCertificates;
import io.gauntlet.tls.TestCertificates.KeyForm;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What mutual TLS costs the querier: {@link QuerierBench}'s queries over the same in-memory store (500 instances), served
 * twice by StoreServers in this JVM — once in plain text, once with mutual TLS as every service serves it
 * ({@link GrpcServerTls}, TLS 1.3, ECDSA server key, RSA client key) — and evaluated by the querier's query path (endpoint
 * set, fan-out, PromQL engine, JSON answer) over each, alternately, so both see the same machine load. The HTTP server in
 * front is left out, which makes TLS's share look larger, not smaller. Connections are kept, as a querier keeps them:
 * what is measured is encryption of the Series streams, not handshakes. Not part of the test run:
 * {@code mvn -pl services/querier test -Dtest=QuerierTlsBench}. Writes target/querier-tls-bench.txt.
 */
class QuerierTlsBench {
    private static final int RUNS = 21;
    private static final long WARM_UP_NANOS = 60_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void mutualTlsVersusPlainText() throws Exception {
        TestCertificates ca = TestCertificates.newCa("bench-ca");
        ca.writeCa(dir.resolve("ca.crt"));
        ca.server("store", KeyForm.EC_PKCS8).write(dir.resolve("store.crt"), dir.resolve("store.key"), KeyForm.EC_PKCS8);
        ca.client("querier", KeyForm.RSA_PKCS1).write(dir.resolve("querier.crt"), dir.resolve("querier.key"), KeyForm.RSA_PKCS1);
        MemoryChunkSource source = TestData.source(TestData.benchSeries(500));
        GrpcServerTls serverTls = new GrpcServerTls(ServerTlsSettings.of(Optional.of(dir.resolve("store.crt").toString()),
                Optional.of(dir.resolve("store.key").toString()), Optional.of(dir.resolve("ca.crt").toString()), "1.2", "").orElseThrow(),
                "bench store", reason -> { });
        GrpcClientTls clientTls = GrpcClientTls.of(true, Optional.of(dir.resolve("querier.crt").toString()),
                Optional.of(dir.resolve("querier.key").toString()), Optional.of(dir.resolve("ca.crt").toString()), Optional.empty(), false);
        Server plainServer = serve(source, NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)));
        Server tlsServer = serve(source, serverTls.applyTo(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))));
        try (EndpointSet plain = endpoints(plainServer, GrpcClientTls.PLAINTEXT);
                EndpointSet mutualTls = endpoints(tlsServer, clientTls)) {
            PromqlEngine engine = new PromqlEngine(EngineOptions.defaults());
            for (String path : PATHS) {
                // the same answer both ways, and a non-empty one
                String once = answer(engine, plain, path);
                assertThat(answer(engine, mutualTls, path)).as(path).isEqualTo(once);
                assertThat(once).as(path).contains("\"result\":[{");
            }
            long warmUpEnd = System.nanoTime() + WARM_UP_NANOS; // the JIT settles in about a minute on these busy cores
            int passes = 0;
            while (System.nanoTime() < warmUpEnd) {
                for (String path : PATHS) {
                    answer(engine, plain, path);
                    answer(engine, mutualTls, path);
                }
                passes++;
            }
            StringBuilder report = new StringBuilder(String.format("querier -> store: plain text vs mutual TLS, %d warm-up passes, load average before: %s%n",
                    passes, loadAverage()))
                    .append("query | plain median ms | mTLS median ms | added ms | ratio | plain CPU ms | mTLS CPU ms | CPU ratio\n");
            double logSum = 0;
            double cpuLogSum = 0;
            for (String path : PATHS) {
                double[] clear = new double[RUNS];
                double[] secured = new double[RUNS];
                long cpuClear = 0; // this JVM's CPU (store, querier; JIT threads left out), which load does not stretch
                long cpuSecured = 0;
                for (int i = 0; i < RUNS; i++) {
                    for (int k = 0; k < 2; k++) { // alternate which goes first
                        boolean tlsNow = (i + k) % 2 == 1;
                        long cpu = jvmCpuNanos();
                        long started = System.nanoTime();
                        answer(engine, tlsNow ? mutualTls : plain, path);
                        double millis = (System.nanoTime() - started) / 1e6;
                        if (tlsNow) {
                            secured[i] = millis;
                            cpuSecured += jvmCpuNanos() - cpu;
                        } else {
                            clear[i] = millis;
                            cpuClear += jvmCpuNanos() - cpu;
                        }
                    }
                }
                double p = median(clear);
                double s = median(secured);
                double pc = cpuClear / 1e6 / RUNS;
                double sc = cpuSecured / 1e6 / RUNS;
                logSum += Math.log(s / p);
                cpuLogSum += Math.log(sc / pc);
                report.append(String.format("%s %s | %.2f | %.2f | %+.2f | %.2f | %.2f | %.2f | %.2f%n",
                        path.startsWith("/api/v1/query_range") ? "range" : "instant", query(path), p, s, s - p, s / p, pc, sc, sc / pc));
            }
            report.append(String.format("geometric mean of mTLS/plain: latency %.3f, CPU %.3f%n",
                    Math.exp(logSum / PATHS.size()), Math.exp(cpuLogSum / PATHS.size())));
            report.append(String.format("load average after: %s%n", loadAverage()));
            Files.writeString(Path.of("target", "querier-tls-bench.txt"), report);
            System.out.println(report);
        } finally {
            plainServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            tlsServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            serverTls.close();
        }
    }

    private static Server serve(MemoryChunkSource source, NettyServerBuilder builder) throws java.io.IOException {
        for (ServerServiceDefinition service : new StoreServer(source).services()) {
            builder.addService(service);
        }
        return builder.build().start();
    }

    private static EndpointSet endpoints(Server server, GrpcClientTls transport) {
        EndpointSet endpoints = new EndpointSet(List.of("127.0.0.1:" + server.getPort()), Duration.ofMinutes(2), Duration.ofSeconds(10),
                Duration.ofMinutes(5)).withTransport(transport.credentials(), transport.authority());
        endpoints.refresh();
        assertThat(endpoints.healthy()).as(transport.describe()).hasSize(1);
        return endpoints;
    }

    private static String query(String path) {
        return UrlEncodedForm.parse(path.substring(path.indexOf('?') + 1)).first("query");
    }

    private static long seconds(String path, String name) {
        return Long.parseLong(UrlEncodedForm.parse(path.substring(path.indexOf('?') + 1)).first(name)) * 1000;
    }

    /** A {@link QuerierBench} query path evaluated as the querier's API evaluates it, to the JSON it answers. */
    private static String answer(PromqlEngine engine, EndpointSet endpoints, String path) {
        StoreQueryable queryable = new StoreQueryable(endpoints::healthy, StoreQueryable.Options.defaults(List.of()));
        QueryResult result = path.startsWith("/api/v1/query_range")
                ? engine.rangeQuery(queryable, query(path), seconds(path, "start"), seconds(path, "end"), seconds(path, "step"))
                : engine.instantQuery(queryable, query(path), seconds(path, "time"));
        return PrometheusJson.success(PrometheusJson.queryData(result.value()), result.warnings());
    }
}
