package io.gauntlet.store;

import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.metadata.MetadataGrpc;
import io.gauntlet.proto.thanos.metadata.MetricMetadataRequest;
import io.gauntlet.proto.thanos.metadata.MetricMetadataResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One endpoint's {@code thanos.Metadata} service (a Thanos or Gauntlet sidecar, a Thanos querier) over grpc-java. */
public final class MetadataClient {
    /** The gRPC code of an endpoint that does not serve the Metadata API at all (a store gateway). */
    public static final String UNIMPLEMENTED = Status.Code.UNIMPLEMENTED.name();

    /** What one endpoint answered: its metadata frames in order, and its warning frames prefixed with its name. */
    public record Answer(List<Map<String, List<MetricMeta>>> frames, List<String> warnings) {
        public Answer {
            frames = List.copyOf(frames);
            warnings = List.copyOf(warnings);
        }
    }

    private final String name;
    private final Channel channel;
    private final Duration timeout;

    /** A client over a channel the caller owns; every call gets {@code timeout} as deadline. */
    public MetadataClient(String name, Channel channel, Duration timeout) {
        this.name = name;
        this.channel = channel;
        this.timeout = timeout;
    }

    public String name() {
        return name;
    }

    /**
     * Reads the whole answer stream.
     *
     * @param limit at most this many metric names; negative: no limit
     * @throws StoreException naming this endpoint and the gRPC code (see {@link StoreException#code()}); {@link #UNIMPLEMENTED}
     *                        when it has no Metadata API
     */
    public Answer metricMetadata(String metric, int limit, PartialResponse strategy) throws StoreException {
        MetricMetadataRequest request = MetricMetadataRequest.newBuilder().setMetric(metric).setLimit(limit)
                .setPartialResponseStrategy(strategy == PartialResponse.ABORT ? PartialResponseStrategy.ABORT : PartialResponseStrategy.WARN)
                .build();
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<Map<String, List<MetricMeta>>> frames = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            Iterator<MetricMetadataResponse> answer = ClientCalls.blockingServerStreamingCall(channel,
                    MetadataGrpc.getMetricMetadataMethod(), options, request);
            while (answer.hasNext()) {
                MetricMetadataResponse response = answer.next();
                switch (response.getResultCase()) {
                    case METADATA -> frames.add(MetricMeta.fromWire(response.getMetadata()));
                    case WARNING -> warnings.add("store " + name + ": " + response.getWarning());
                    default -> {
                        // an empty frame carries nothing
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String description = status.getDescription() != null ? status.getDescription()
                    : status.getCause() != null ? status.getCause().toString() : "";
            throw new StoreException(name, status.getCode().name(), description, status.getCause());
        }
        return new Answer(frames, warnings);
    }
}
