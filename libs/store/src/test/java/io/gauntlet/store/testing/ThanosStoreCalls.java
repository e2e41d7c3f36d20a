package io.gauntlet.store.testing;

import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * StoreAPI calls by their Thanos full names, as a Go Thanos querier makes them (hand-built method descriptors, no
 * generated stubs): what the StoreAPI servers of every module are tested with.
 */
public final class ThanosStoreCalls {
    public static final MethodDescriptor<SeriesRequest, SeriesResponse> SERIES = method("thanos.Store/Series",
            MethodDescriptor.MethodType.SERVER_STREAMING, SeriesRequest.getDefaultInstance(), SeriesResponse.getDefaultInstance());
    public static final MethodDescriptor<LabelNamesRequest, LabelNamesResponse> LABEL_NAMES = method("thanos.Store/LabelNames",
            MethodDescriptor.MethodType.UNARY, LabelNamesRequest.getDefaultInstance(), LabelNamesResponse.getDefaultInstance());
    public static final MethodDescriptor<LabelValuesRequest, LabelValuesResponse> LABEL_VALUES = method("thanos.Store/LabelValues",
            MethodDescriptor.MethodType.UNARY, LabelValuesRequest.getDefaultInstance(), LabelValuesResponse.getDefaultInstance());
    public static final MethodDescriptor<InfoRequest, InfoResponse> INFO = method("thanos.info.Info/Info",
            MethodDescriptor.MethodType.UNARY, InfoRequest.getDefaultInstance(), InfoResponse.getDefaultInstance());

    private ThanosStoreCalls() {
    }

    public static Iterator<SeriesResponse> series(Channel channel, SeriesRequest request) {
        return ClientCalls.blockingServerStreamingCall(channel, SERIES, options(), request);
    }

    public static LabelNamesResponse labelNames(Channel channel, LabelNamesRequest request) {
        return ClientCalls.blockingUnaryCall(channel, LABEL_NAMES, options(), request);
    }

    public static LabelValuesResponse labelValues(Channel channel, LabelValuesRequest request) {
        return ClientCalls.blockingUnaryCall(channel, LABEL_VALUES, options(), request);
    }

    public static InfoResponse info(Channel channel) {
        return ClientCalls.blockingUnaryCall(channel, INFO, options(), InfoRequest.getDefaultInstance());
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    private static <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> MethodDescriptor<Q, R> method(
            String fullName, MethodDescriptor.MethodType type, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder().setType(type).setFullMethodName(fullName)
                .setRequestMarshaller(ProtoUtils.marshaller(request)).setResponseMarshaller(ProtoUtils.marshaller(response)).build();
    }
}
