package io.gauntlet.store;

import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.metadata.MetadataGrpc;
import io.gauntlet.proto.thanos.metadata.MetricMetadataRequest;
import io.gauntlet.proto.thanos.metadata.MetricMetadataResponse;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Serves a {@link MetadataSource} as Thanos' {@code thanos.Metadata} gRPC service: one metadata frame per call (as
 * Thanos' sidecar answers) followed by the source's warnings, the request's limit applied even when the source returns
 * more, errors as gRPC statuses with a one-line message.
 */
public final class MetadataServer {
    private final MetadataSource source;

    public MetadataServer(MetadataSource source) {
        this.source = source;
    }

    /** {@code thanos.Metadata}; answers snappy-compressed requests in kind. Source calls block: run it on worker threads. */
    public BindableService metadataService() {
        BindableService service = new MetadataService();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind());
    }

    private final class MetadataService extends MetadataGrpc.MetadataImplBase {
        @Override
        public void metricMetadata(MetricMetadataRequest request, StreamObserver<MetricMetadataResponse> out) {
            MetadataSource.Answer answer;
            try {
                answer = source.metricMetadataAnswer(request.getMetric(), request.getLimit(),
                        request.getPartialResponseStrategy() == PartialResponseStrategy.ABORT ? PartialResponse.ABORT : PartialResponse.WARN);
            } catch (StorageException | RuntimeException e) {
                out.onError(StoreServer.statusOf(e).asRuntimeException());
                return;
            }
            Map<String, List<MetricMeta>> metadata = limited(answer.metadata(), request.getLimit());
            out.onNext(MetricMetadataResponse.newBuilder().setMetadata(MetricMeta.toWire(metadata)).build());
            for (String warning : answer.warnings()) {
                out.onNext(MetricMetadataResponse.newBuilder().setWarning(warning).build());
            }
            out.onCompleted();
        }
    }

    private static Map<String, List<MetricMeta>> limited(Map<String, List<MetricMeta>> metadata, int limit) {
        if (limit < 0 || metadata.size() <= limit) {
            return metadata;
        }
        Map<String, List<MetricMeta>> out = new LinkedHashMap<>();
        for (var entry : metadata.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            out.put(entry.getKey(), entry.getValue());
        }
        return out;
    }
}
