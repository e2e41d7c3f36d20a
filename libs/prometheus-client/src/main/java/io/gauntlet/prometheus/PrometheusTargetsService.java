package io.gauntlet.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.targets.ActiveTarget;
import io.gauntlet.proto.thanos.targets.DroppedTarget;
import io.gauntlet.proto.thanos.targets.TargetDiscovery;
import io.gauntlet.proto.thanos.targets.TargetHealth;
import io.gauntlet.proto.thanos.targets.TargetsGrpc;
import io.gauntlet.proto.thanos.targets.TargetsRequest;
import io.gauntlet.proto.thanos.targets.TargetsResponse;
import io.gauntlet.store.SnappyCodec;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * {@code thanos.Targets} from a Prometheus' {@code /api/v1/targets}, as Thanos' sidecar serves it: one frame with every
 * target of the requested state, the external labels added to the discovered and the target labels (winning over a
 * label of the same name).
 */
public final class PrometheusTargetsService {
    private final PrometheusClient prometheus;
    private final Supplier<Labels> externalLabels;

    public PrometheusTargetsService(PrometheusClient prometheus, Supplier<Labels> externalLabels) {
        this.prometheus = prometheus;
        this.externalLabels = externalLabels;
    }

    /** The service; answers snappy-compressed requests in kind. Calls block on Prometheus: run it on worker threads. */
    public BindableService service() {
        BindableService service = new Service();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind());
    }

    private final class Service extends TargetsGrpc.TargetsImplBase {
        @Override
        public void targets(TargetsRequest request, StreamObserver<TargetsResponse> out) {
            TargetDiscovery targets;
            try {
                String state = request.getState() == TargetsRequest.State.ANY ? "" : request.getState().name().toLowerCase(Locale.ROOT);
                targets = fromPrometheus(prometheus.targets(state), externalLabels.get());
            } catch (StorageException | RuntimeException e) {
                out.onError(StoreServer.statusOf(e).asRuntimeException());
                return;
            }
            out.onNext(TargetsResponse.newBuilder().setTargets(targets).build());
            out.onCompleted();
        }
    }

    /** Prometheus' targets data on the wire, labels extended by the external labels. */
    static TargetDiscovery fromPrometheus(JsonNode data, Labels external) throws StorageException {
        if (!data.isObject()) {
            throw new StorageException("/api/v1/targets answered without a data object: " + data);
        }
        TargetDiscovery.Builder out = TargetDiscovery.newBuilder();
        for (JsonNode target : data.path("activeTargets")) {
            out.addActiveTargets(ActiveTarget.newBuilder()
                    .setDiscoveredLabels(labels(target.path("discoveredLabels"), external))
                    .setLabels(labels(target.path("labels"), external))
                    .setScrapePool(target.path("scrapePool").asText())
                    .setScrapeUrl(target.path("scrapeUrl").asText())
                    .setGlobalUrl(target.path("globalUrl").asText())
                    .setLastError(target.path("lastError").asText())
                    .setLastScrape(timestamp(target.path("lastScrape").asText()))
                    .setLastScrapeDuration(target.path("lastScrapeDuration").asDouble())
                    .setHealth(switch (target.path("health").asText()) {
                        case "up" -> TargetHealth.UP;
                        case "down" -> TargetHealth.DOWN;
                        default -> TargetHealth.UNKNOWN;
                    }));
        }
        for (JsonNode target : data.path("droppedTargets")) {
            out.addDroppedTargets(DroppedTarget.newBuilder().setDiscoveredLabels(labels(target.path("discoveredLabels"), external)));
        }
        return out.build();
    }

    /** An RFC 3339 time as Go writes it (the zero time included) as a protobuf Timestamp. */
    private static Timestamp timestamp(String text) throws StorageException {
        try {
            Instant instant = Instant.parse(text);
            return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
        } catch (DateTimeParseException e) {
            throw new StorageException("/api/v1/targets answered a lastScrape that is no RFC 3339 time: " + text);
        }
    }

    private static ZLabelSet labels(JsonNode object, Labels external) {
        // a map, not Labels: discovered labels may carry empty values, which Prometheus shows
        Map<String, String> labels = new TreeMap<>(Labels::compareStrings);
        for (Map.Entry<String, JsonNode> label : object.properties()) {
            labels.put(label.getKey(), label.getValue().asText());
        }
        external.forEach(labels::put);
        ZLabelSet.Builder out = ZLabelSet.newBuilder();
        labels.forEach((name, value) -> out.addLabels(Label.newBuilder().setName(name).setValue(value)));
        return out.build();
    }
}
