package io.gauntlet.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tls.GrpcClientTls;
import io.gauntlet.tls.HandshakeFailureLog;
import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TestCertificates;
import io.gauntlet.tls.TestCertificates.KeyForm;
import io.gauntlet.tsdb.Labels;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A querier's endpoint set against a StoreServer over mutual TLS, with the server side exactly as every service runs
 * it ({@link GrpcServerTls}): the right client is served, clients without a certificate, with one of another CA, an
 * expired one or in plain text are refused and logged, and a server certificate replaced mid-stream leaves the stream
 * running while the next connection gets the new certificate.
 */
class GrpcServerTlsTest {
    private static final TestCertificates CA = TestCertificates.newCa("grpc-test-ca");
    private static final TestCertificates OTHER_CA = TestCertificates.newCa("foreign-ca");
    private static final int SERIES = 3_000;
    private static final java.util.concurrent.atomic.AtomicInteger produced = new java.util.concurrent.atomic.AtomicInteger();

    @TempDir
    static Path dir;

    private static final List<String> logLines = new CopyOnWriteArrayList<>();
    private static final Map<HandshakeFailureLog.Reason, Integer> refusals = new ConcurrentHashMap<>();
    private static final Handler CAPTURE = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            logLines.add(record.getLevel() + " " + record.getLoggerName() + " " + formatter.formatMessage(record)
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private static java.util.logging.Level rootLevel;
    private static Server server;
    private static GrpcServerTls tls;
    private static String address;

    @BeforeAll
    static void serve() throws Exception {
        rootLevel = Logger.getLogger("").getLevel();
        Logger.getLogger("").setLevel(java.util.logging.Level.INFO); // grpc-java's debug records would slow every call
        Logger.getLogger("").addHandler(CAPTURE);
        CA.server("store-gateway", KeyForm.EC_SEC1, "store.example").write(dir.resolve("server.crt"), dir.resolve("server.key"), KeyForm.EC_SEC1);
        CA.writeCa(dir.resolve("ca.crt"));
        CA.client("querier", KeyForm.RSA_PKCS1).write(dir.resolve("querier.crt"), dir.resolve("querier.key"), KeyForm.RSA_PKCS1);
        OTHER_CA.client("intruder", KeyForm.EC_PKCS8).write(dir.resolve("intruder.crt"), dir.resolve("intruder.key"), KeyForm.EC_PKCS8);
        CA.expiredClient("old-querier", KeyForm.EC_PKCS8).write(dir.resolve("old.crt"), dir.resolve("old.key"), KeyForm.EC_PKCS8);

        MemoryChunkSource source = new MemoryChunkSource("store", Labels.of("cluster", "eu"));
        for (int i = 0; i < SERIES; i++) {
            source.add(Labels.of("__name__", "up", "instance", "i" + i), new long[] {1000, 2000, 3000}, new double[] {1, 2, 3});
        }
        ServerTlsSettings settings = ServerTlsSettings.of(Optional.of(dir.resolve("server.crt").toString()),
                Optional.of(dir.resolve("server.key").toString()), Optional.of(dir.resolve("ca.crt").toString()), "1.2", "test.")
                .orElseThrow().withReloadCheckInterval(Duration.ZERO);
        tls = new GrpcServerTls(settings, "gRPC test", reason -> refusals.merge(reason, 1, Integer::sum));
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
        for (ServerServiceDefinition service : new StoreServer(counting(source)).services()) {
            builder.addService(service);
        }
        server = tls.applyTo(builder).build().start();
        address = "127.0.0.1:" + server.getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        tls.close();
        Logger.getLogger("").removeHandler(CAPTURE);
        Logger.getLogger("").setLevel(rootLevel);
    }

    /** The source, counting the series it hands to the server: shows how far a stream has gone. */
    private static io.gauntlet.store.ChunkSource counting(MemoryChunkSource source) {
        return new io.gauntlet.store.ChunkSource() {
            @Override
            public io.gauntlet.store.SourceInfo info() {
                return source.info();
            }

            @Override
            public io.gauntlet.tsdb.storage.ChunkSeriesSet series(io.gauntlet.store.StoreQuery query) throws io.gauntlet.tsdb.storage.StorageException {
                io.gauntlet.tsdb.storage.ChunkSeriesSet series = source.series(query);
                produced.set(0);
                return new io.gauntlet.tsdb.storage.ChunkSeriesSet() {
                    @Override
                    public boolean next() throws io.gauntlet.tsdb.storage.StorageException {
                        boolean more = series.next();
                        produced.addAndGet(more ? 1 : 0);
                        return more;
                    }

                    @Override
                    public Labels labels() {
                        return series.labels();
                    }

                    @Override
                    public List<io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk> chunks() {
                        return series.chunks();
                    }
                };
            }

            @Override
            public List<String> labelNames(io.gauntlet.store.LabelQuery query) throws io.gauntlet.tsdb.storage.StorageException {
                return source.labelNames(query);
            }

            @Override
            public List<String> labelValues(String name, io.gauntlet.store.LabelQuery query) throws io.gauntlet.tsdb.storage.StorageException {
                return source.labelValues(name, query);
            }
        };
    }

    private static GrpcClientTls client(String certName, boolean withCa) {
        return GrpcClientTls.of(true, Optional.ofNullable(certName).map(n -> dir.resolve(n + ".crt").toString()),
                Optional.ofNullable(certName).map(n -> dir.resolve(n + ".key").toString()),
                withCa ? Optional.of(dir.resolve("ca.crt").toString()) : Optional.empty(), Optional.empty(), false);
    }

    private static EndpointSet endpoints(GrpcClientTls transport) {
        // an Info deadline a loaded machine's handshakes fit in: a refusal must show as UNAVAILABLE, not as a timeout
        return new EndpointSet(List.of(address), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(5))
                .withTransport(transport.credentials(), transport.authority());
    }

    @Test
    void aQuerierWithItsCertificateGetsTheSeries() throws Exception {
        try (EndpointSet endpoints = endpoints(client("querier", true))) {
            endpoints.refresh();
            assertThat(endpoints.statuses()).singleElement().satisfies(status -> assertThat(status.healthy()).as(status.lastError()).isTrue());
            assertThat(count(endpoints.healthy().getFirst().client())).isEqualTo(SERIES);
        }
    }

    @Test
    void clientsWithoutTheRightCertificateAreRefusedAndLoggedWhileOthersAreServed() throws Exception {
        try (EndpointSet good = endpoints(client("querier", true))) {
            refused(client(null, true), HandshakeFailureLog.Reason.NO_CLIENT_CERTIFICATE);
            refused(client("intruder", true), HandshakeFailureLog.Reason.UNTRUSTED_CERTIFICATE);
            refused(client("old", true), HandshakeFailureLog.Reason.EXPIRED_CERTIFICATE);
            refused(GrpcClientTls.PLAINTEXT, HandshakeFailureLog.Reason.PLAIN_TEXT);
            good.refresh();
            assertThat(good.healthy()).hasSize(1);
        }
        assertThat(handshakeLines("certificate not signed by a trusted CA")).singleElement().asString()
                .contains("client certificate subject=\"CN=intruder,O=Gauntlet test\" issuer=\"CN=foreign-ca,O=Gauntlet test\"");
        assertThat(handshakeLines("certificate expired")).singleElement().asString().contains("CN=old-querier");
        assertThat(handshakeLines("plain text")).singleElement().asString().contains("refused by gRPC test");
        // grpc-java's own per-connection report (a stack trace at INFO) is left to the one line above
        assertThat(logLines).noneMatch(line -> line.contains("Transport failed"));
    }

    @Test
    void refusalsAreLoggedOncePerReasonAndWindowButAllCounted() throws Exception {
        int before = refusals.getOrDefault(HandshakeFailureLog.Reason.NO_CLIENT_CERTIFICATE, 0);
        int linesBefore = handshakeLines("no client certificate").size();
        for (int i = 0; i < 3; i++) {
            refused(client(null, true), HandshakeFailureLog.Reason.NO_CLIENT_CERTIFICATE);
        }
        assertThat(refusals.get(HandshakeFailureLog.Reason.NO_CLIENT_CERTIFICATE) - before).isGreaterThanOrEqualTo(3);
        assertThat(handshakeLines("no client certificate").size() - linesBefore).isLessThanOrEqualTo(1);
        assertThat(handshakeLines("no client certificate")).hasSize(1);
    }

    @Test
    void theServerNameOverridesTheHostTheCertificateMustName() throws Exception {
        GrpcClientTls named = GrpcClientTls.of(true, Optional.of(dir.resolve("querier.crt").toString()), Optional.of(dir.resolve("querier.key").toString()),
                Optional.of(dir.resolve("ca.crt").toString()), Optional.of("store.example"), false);
        try (EndpointSet endpoints = endpoints(named)) {
            endpoints.refresh();
            assertThat(endpoints.healthy()).hasSize(1);
        }
        GrpcClientTls wrongName = GrpcClientTls.of(true, Optional.of(dir.resolve("querier.crt").toString()), Optional.of(dir.resolve("querier.key").toString()),
                Optional.of(dir.resolve("ca.crt").toString()), Optional.of("other.example"), false);
        try (EndpointSet endpoints = endpoints(wrongName)) {
            endpoints.refresh();
            assertThat(endpoints.statuses()).singleElement().satisfies(status -> assertThat(status.healthy()).isFalse());
        }
        // skip-verify: no CA needed, any name
        GrpcClientTls unverified = GrpcClientTls.of(true, Optional.of(dir.resolve("querier.crt").toString()), Optional.of(dir.resolve("querier.key").toString()),
                Optional.empty(), Optional.of("other.example"), true);
        try (EndpointSet endpoints = endpoints(unverified)) {
            endpoints.refresh();
            assertThat(endpoints.healthy()).hasSize(1);
        }
    }

    @Test
    void aServerCertificateReplacedMidStreamKeepsTheStreamAndTheNextConnectionGetsTheNewOne() throws Exception {
        GrpcClientTls transport = client("querier", true);
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        ManagedChannel first = Grpc.newChannelBuilder(address, transport.credentials()).build();
        try (StoreClient streaming = new StoreClient(address, io.grpc.ClientInterceptors.intercept(first, peerCertificate(seen)), Duration.ofSeconds(30))) {
            X509Certificate before = CA.certificate();
            try (StoreSeriesSet stream = streaming.series(allSeries())) {
                assertThat(stream.next()).isTrue();
                before = seen.get();
                // the server is held back by flow control: most of the stream is still to come
                assertThat(produced.get()).isLessThan(SERIES / 2);
                TestCertificates.Issued renewed = CA.server("store-gateway-renewed", KeyForm.RSA_PKCS8, "store.example");
                renewed.write(dir.resolve("server.crt"), dir.resolve("server.key"), KeyForm.RSA_PKCS8);

                // a new connection (the querier reconnecting, or another querier) gets the new certificate
                ManagedChannel second = Grpc.newChannelBuilder(address, transport.credentials()).build();
                try (StoreClient next = new StoreClient(address, io.grpc.ClientInterceptors.intercept(second, peerCertificate(seen)), Duration.ofSeconds(10))) {
                    next.info();
                    assertThat(seen.get()).isEqualTo(renewed.certificate());
                } finally {
                    second.shutdownNow();
                }
                int received = 1;
                while (stream.next()) {
                    received++;
                }
                assertThat(received).isEqualTo(SERIES);
            }
            assertThat(before.getSubjectX500Principal().getName()).startsWith("CN=store-gateway,");
            // the old connection goes on serving new calls too: its TLS session is established
            assertThat(streaming.info().getComponentType()).isEqualTo("store");
        } finally {
            first.shutdownNow();
        }
    }

    private static void refused(GrpcClientTls transport, HandshakeFailureLog.Reason reason) throws Exception {
        int before = refusals.getOrDefault(reason, 0);
        try (EndpointSet endpoints = endpoints(transport)) {
            endpoints.refresh();
            assertThat(endpoints.healthy()).as(reason.text()).isEmpty();
            assertThat(endpoints.statuses().getFirst().lastError()).as(reason.text()).contains("UNAVAILABLE");
        }
        await(reason.text()).atMost(Duration.ofSeconds(10)).until(() -> refusals.getOrDefault(reason, 0) > before);
    }

    private static List<String> handshakeLines(String reason) {
        return logLines.stream().filter(line -> line.contains("TLS handshake from 127.0.0.1:") && line.contains(": " + reason)).toList();
    }

    private static SeriesRequest allSeries() {
        return SeriesRequest.newBuilder().setMinTime(0).setMaxTime(10_000)
                .addMatchers(LabelMatcher.newBuilder().setType(LabelMatcher.Type.EQ).setName("__name__").setValue("up")).build();
    }

    private static int count(StoreClient client) throws Exception {
        int count = 0;
        try (StoreSeriesSet series = client.series(allSeries())) {
            while (series.next()) {
                count++;
            }
        }
        return count;
    }

    /** Remembers the certificate the server presented on each call's connection. */
    private static ClientInterceptor peerCertificate(AtomicReference<X509Certificate> seen) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        ClientCall<Q, R> call = this;
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata metadata) {
                                SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                                try {
                                    seen.set((X509Certificate) session.getPeerCertificates()[0]);
                                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                                    throw Status.INTERNAL.withCause(e).asRuntimeException();
                                }
                                super.onHeaders(metadata);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
