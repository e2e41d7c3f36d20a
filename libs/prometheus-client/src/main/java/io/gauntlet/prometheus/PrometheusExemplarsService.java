package io.gauntlet.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.LabelSet;
import io.gauntlet.proto.thanos.exemplars.Exemplar;
import io.gauntlet.proto.thanos.exemplars.ExemplarData;
import io.gauntlet.proto.thanos.exemplars.ExemplarsGrpc;
import io.gauntlet.proto.thanos.exemplars.ExemplarsRequest;
import io.gauntlet.proto.thanos.exemplars.ExemplarsResponse;
import io.gauntlet.store.SnappyCodec;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code thanos.Exemplars} from a Prometheus' {@code /api/v1/query_exemplars}, as Thanos' sidecar serves it: one data
 * frame per series, the external labels added to the series labels (winning over a series label of the same name).
 * Errors become gRPC statuses (a query Prometheus refuses: INVALID_ARGUMENT with its message).
 */
public final class PrometheusExemplarsService {
    private final PrometheusClient prometheus;
    private final Supplier<Labels> externalLabels;

    public PrometheusExemplarsService(PrometheusClient prometheus, Supplier<Labels> externalLabels) {
        this.prometheus = prometheus;
        this.externalLabels = externalLabels;
    }

    /** The service; answers snappy-compressed requests in kind. Calls block on Prometheus: run it on worker threads. */
    public BindableService service() {
        BindableService service = new Service();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind());
    }

    private final class Service extends ExemplarsGrpc.ExemplarsImplBase {
        @Override
        public void exemplars(ExemplarsRequest request, StreamObserver<ExemplarsResponse> out) {
            List<ExemplarData> frames;
            try {
                frames = fromPrometheus(prometheus.queryExemplars(request.getQuery(), request.getStart(), request.getEnd()), externalLabels.get());
            } catch (StorageException | RuntimeException e) {
                out.onError(StoreServer.statusOf(e).asRuntimeException());
                return;
            }
            for (ExemplarData frame : frames) {
                out.onNext(ExemplarsResponse.newBuilder().setData(frame).build());
            }
            out.onCompleted();
        }
    }

    /** Prometheus' query_exemplars data as wire frames, series labels extended by the external labels. */
    static List<ExemplarData> fromPrometheus(JsonNode data, Labels external) throws StorageException {
        if (!data.isArray()) {
            throw new StorageException("/api/v1/query_exemplars answered without a data array: " + data);
        }
        List<ExemplarData> out = new ArrayList<>(data.size());
        for (JsonNode series : data) {
            Labels.Builder labels = labels(series.path("seriesLabels")).toBuilder();
            external.forEach(labels::set);
            ExemplarData.Builder frame = ExemplarData.newBuilder().setSeriesLabels(wire(labels.build()));
            for (JsonNode exemplar : series.path("exemplars")) {
                frame.addExemplars(Exemplar.newBuilder().setLabels(wire(labels(exemplar.path("labels"))))
                        .setValue(sampleValue(exemplar.path("value").asText()))
                        .setTs(new BigDecimal(exemplar.path("timestamp").asText()).movePointRight(3).longValue()));
            }
            out.add(frame.build());
        }
        return out;
    }

    /** A sample value as Prometheus writes it (Go's FormatFloat: NaN, +Inf, -Inf or a decimal). */
    private static double sampleValue(String text) {
        return switch (text) {
            case "NaN" -> Double.NaN;
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    private static Labels labels(JsonNode object) {
        Labels.Builder out = Labels.builder();
        for (Map.Entry<String, JsonNode> label : object.properties()) {
            out.set(label.getKey(), label.getValue().asText());
        }
        return out.build();
    }

    private static LabelSet wire(Labels labels) {
        LabelSet.Builder out = LabelSet.newBuilder();
        labels.forEach((name, value) -> out.addLabels(Label.newBuilder().setName(name).setValue(value)));
        return out.build();
    }
}
