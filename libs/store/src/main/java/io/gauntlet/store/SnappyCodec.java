package io.gauntlet.store;

import io.grpc.Codec;
import io.grpc.CompressorRegistry;
import io.grpc.DecompressorRegistry;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.xerial.snappy.SnappyFramedInputStream;
import org.xerial.snappy.SnappyFramedOutputStream;

/**
 * The gRPC message encoding "snappy" as Thanos registers it ({@code --grpc-compression=snappy}): each message is a
 * snappy framing-format stream. Servers answer compressed when the request was; clients opt in per channel.
 */
public final class SnappyCodec implements Codec {
    public static final String NAME = "snappy";
    public static final SnappyCodec INSTANCE = new SnappyCodec();

    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);

    private SnappyCodec() {
    }

    @Override
    public String getMessageEncoding() {
        return NAME;
    }

    @Override
    public OutputStream compress(OutputStream os) throws IOException {
        return new SnappyFramedOutputStream(os);
    }

    @Override
    public InputStream decompress(InputStream is) throws IOException {
        return new SnappyFramedInputStream(is);
    }

    /** gzip, identity and snappy, for server and channel builders. */
    public static CompressorRegistry compressors() {
        CompressorRegistry registry = CompressorRegistry.newEmptyInstance();
        registry.register(new Codec.Gzip());
        registry.register(Codec.Identity.NONE);
        registry.register(INSTANCE);
        return registry;
    }

    public static DecompressorRegistry decompressors() {
        return DecompressorRegistry.getDefaultInstance().with(INSTANCE, true);
    }

    /** Answers snappy-compressed requests with snappy-compressed responses, as gRPC-Go servers do. */
    public static ServerInterceptor answerInKind() {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                if (NAME.equals(headers.get(ENCODING))) {
                    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                        @Override
                        public void sendHeaders(Metadata responseHeaders) {
                            super.setCompression(NAME);
                            super.sendHeaders(responseHeaders);
                        }
                    }, headers);
                }
                return next.startCall(call, headers);
            }
        };
    }
}
