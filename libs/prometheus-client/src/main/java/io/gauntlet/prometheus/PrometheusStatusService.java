package io.gauntlet.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import io.gauntlet.proto.thanos.status.HeadStatistics;
import io.gauntlet.proto.thanos.status.Statistic;
import io.gauntlet.proto.thanos.status.StatusGrpc;
import io.gauntlet.proto.thanos.status.TSDBStatistics;
import io.gauntlet.proto.thanos.status.TSDBStatisticsEntry;
import io.gauntlet.proto.thanos.status.TSDBStatisticsRequest;
import io.gauntlet.proto.thanos.status.TSDBStatisticsResponse;
import io.gauntlet.store.SnappyCodec;
import io.gauntlet.store.StoreServer;
import io.gauntlet.tsdb.storage.StorageException;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.stub.StreamObserver;
import java.util.List;

/**
 * {@code thanos.Status} from a Prometheus' {@code /api/v1/status/tsdb}: one statistics frame holding its head's
 * statistics under the tenant asked for (a Prometheus is one tenant), so that a querier's {@code /api/v1/status/tsdb}
 * can merge them. (Thanos' own sidecar does not serve this API; its receivers do.)
 */
public final class PrometheusStatusService {
    private final PrometheusClient prometheus;

    public PrometheusStatusService(PrometheusClient prometheus) {
        this.prometheus = prometheus;
    }

    /** The service; answers snappy-compressed requests in kind. Calls block on Prometheus: run it on worker threads. */
    public BindableService service() {
        BindableService service = new Service();
        return () -> ServerInterceptors.intercept(service, SnappyCodec.answerInKind());
    }

    private final class Service extends StatusGrpc.StatusImplBase {
        @Override
        public void tSDBStatistics(TSDBStatisticsRequest request, StreamObserver<TSDBStatisticsResponse> out) {
            TSDBStatisticsEntry entry;
            try {
                entry = fromPrometheus(prometheus.tsdbStatus(request.getLimit()));
            } catch (StorageException | RuntimeException e) {
                out.onError(StoreServer.statusOf(e).asRuntimeException());
                return;
            }
            out.onNext(TSDBStatisticsResponse.newBuilder()
                    .setStatistics(TSDBStatistics.newBuilder().putStatistics(request.getTenant(), entry)).build());
            out.onCompleted();
        }
    }

    /** Prometheus' TSDB status data on the wire. */
    static TSDBStatisticsEntry fromPrometheus(JsonNode data) throws StorageException {
        if (!data.isObject() || !data.path("headStats").isObject()) {
            throw new StorageException("/api/v1/status/tsdb answered without head statistics: " + data);
        }
        JsonNode head = data.path("headStats");
        return TSDBStatisticsEntry.newBuilder()
                .setHeadStatistics(HeadStatistics.newBuilder().setNumSeries(head.path("numSeries").asLong())
                        .setNumLabelPairs(head.path("numLabelPairs").asLong()).setChunkCount(head.path("chunkCount").asLong())
                        .setMinTime(head.path("minTime").asLong()).setMaxTime(head.path("maxTime").asLong()))
                .addAllSeriesCountByMetricName(statistics(data.path("seriesCountByMetricName")))
                .addAllLabelValueCountByLabelName(statistics(data.path("labelValueCountByLabelName")))
                .addAllMemoryInBytesByLabelName(statistics(data.path("memoryInBytesByLabelName")))
                .addAllSeriesCountByLabelValuePair(statistics(data.path("seriesCountByLabelValuePair")))
                .build();
    }

    private static List<Statistic> statistics(JsonNode list) {
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .map(one -> Statistic.newBuilder().setName(one.path("name").asText()).setValue(one.path("value").asLong()).build()).toList();
    }
}
