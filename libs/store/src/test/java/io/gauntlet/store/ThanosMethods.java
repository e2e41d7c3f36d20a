package io.gauntlet.store;

import io.gauntlet.proto.thanos.LabelNamesRequest;
import io.gauntlet.proto.thanos.LabelNamesResponse;
import io.gauntlet.proto.thanos.LabelValuesRequest;
import io.gauntlet.proto.thanos.LabelValuesResponse;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.info.InfoRequest;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/** Method descriptors built by hand from the Thanos full names, as a Go Thanos client would call them. */
final class ThanosMethods {
    static final MethodDescriptor<SeriesRequest, SeriesResponse> SERIES = method("thanos.Store/Series",
            MethodDescriptor.MethodType.SERVER_STREAMING, SeriesRequest.getDefaultInstance(), SeriesResponse.getDefaultInstance());
    static final MethodDescriptor<LabelNamesRequest, LabelNamesResponse> LABEL_NAMES = method("thanos.Store/LabelNames",
            MethodDescriptor.MethodType.UNARY, LabelNamesRequest.getDefaultInstance(), LabelNamesResponse.getDefaultInstance());
    static final MethodDescriptor<LabelValuesRequest, LabelValuesResponse> LABEL_VALUES = method("thanos.Store/LabelValues",
            MethodDescriptor.MethodType.UNARY, LabelValuesRequest.getDefaultInstance(), LabelValuesResponse.getDefaultInstance());
    static final MethodDescriptor<InfoRequest, InfoResponse> INFO = method("thanos.info.Info/Info",
            MethodDescriptor.MethodType.UNARY, InfoRequest.getDefaultInstance(), InfoResponse.getDefaultInstance());

    private ThanosMethods() {
    }

    private static <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> MethodDescriptor<Q, R> method(
            String fullName, MethodDescriptor.MethodType type, Q request, R response) {
        return MethodDescriptor.<Q, R>newBuilder().setType(type).setFullMethodName(fullName)
                .setRequestMarshaller(ProtoUtils.marshaller(request)).setResponseMarshaller(ProtoUtils.marshaller(response)).build();
    }
}
