package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.tsdb.Labels;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Thanos' "snappy" gRPC compression over a loopback socket. */
class SnappyCodecTest {
    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    private Server server;
    private ManagedChannel channel;

    @AfterEach
    void stop() {
        if (channel != null) {
            channel.shutdownNow();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void messagesAreSnappyFramingStreams() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = SnappyCodec.INSTANCE.compress(bytes)) {
            out.write("up{job=\"api\"} up{job=\"api\"} up{job=\"api\"}".getBytes());
        }
        byte[] framed = bytes.toByteArray();

        // stream identifier chunk of the snappy framing format, as github.com/golang/snappy writes it
        assertThat(java.util.Arrays.copyOf(framed, 10)).containsExactly(0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y');
        assertThat(new String(SnappyCodec.INSTANCE.decompress(new ByteArrayInputStream(framed)).readAllBytes()))
                .isEqualTo("up{job=\"api\"} up{job=\"api\"} up{job=\"api\"}");
    }

    @Test
    void snappyRequestsGetSnappyAnswers() throws Exception {
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu"));
        for (int i = 0; i < 50; i++) {
            source.add(Labels.of("__name__", "m", "i", Integer.toString(i)), FakeChunkSource.realXor(0, 1_190_000, 120, i));
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .compressorRegistry(SnappyCodec.compressors()).decompressorRegistry(SnappyCodec.decompressors());
        new StoreServer(source).services().forEach(builder::addService);
        server = builder.build().start();
        channel = Grpc.newChannelBuilder("127.0.0.1:" + server.getPort(), InsecureChannelCredentials.create())
                .compressorRegistry(SnappyCodec.compressors()).decompressorRegistry(SnappyCodec.decompressors()).build();
        List<String> responseEncodings = new CopyOnWriteArrayList<>();
        Channel recording = ClientInterceptors.intercept(channel, recordEncoding(responseEncodings));
        SeriesRequest request = SeriesRequest.newBuilder().setMaxTime(Long.MAX_VALUE)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setValue("m")).build();

        int snappySeries = count(new StoreClient("snappy", recording, Duration.ofSeconds(10), 4, true).series(request));
        int plainSeries = count(new StoreClient("plain", recording, Duration.ofSeconds(10), 4, false).series(request));

        assertThat(snappySeries).isEqualTo(50);
        assertThat(plainSeries).isEqualTo(50);
        assertThat(responseEncodings).containsExactly("snappy", "identity");
    }

    private static int count(StoreSeriesSet set) throws Exception {
        int n = 0;
        while (set.next()) {
            n++;
        }
        return n;
    }

    private static ClientInterceptor recordEncoding(List<String> encodings) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onHeaders(Metadata responseHeaders) {
                                String encoding = responseHeaders.get(ENCODING);
                                encodings.add(encoding == null ? "identity" : encoding);
                                super.onHeaders(responseHeaders);
                            }
                        }, headers);
                    }
                };
            }
        };
    }
}
