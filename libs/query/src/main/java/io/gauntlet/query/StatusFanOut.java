package io.gauntlet.query;

import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.status.HeadStatistics;
import io.gauntlet.proto.thanos.status.Statistic;
import io.gauntlet.proto.thanos.status.StatusGrpc;
import io.gauntlet.proto.thanos.status.TSDBStatisticsEntry;
import io.gauntlet.proto.thanos.status.TSDBStatisticsRequest;
import io.gauntlet.proto.thanos.status.TSDBStatisticsResponse;
import io.gauntlet.store.StoreFanOut;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongBinaryOperator;
import java.util.function.Supplier;

/**
 * The querier's {@code /api/v1/status/tsdb} as the newest Thanos querier answers it: every healthy endpoint whose Info
 * announces the Status API is asked for its TSDB statistics ({@code thanos.Status}), the entries of every tenant are
 * merged — series, label pairs, chunks, memory and series per label pair added up, label value counts the largest
 * (the same values live on several TSDBs), the head's time range widened — each list sorted by value, largest first,
 * and cut at {@code limit} (10 when absent or below 1). Failed endpoints are warnings with partial response, or fail
 * the request.
 */
public final class StatusFanOut implements AutoCloseable {
    private static final int DEFAULT_LIMIT = 10;

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public StatusFanOut(Supplier<List<StoreFanOut.Endpoint>> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    /**
     * The HTTP handler's work: Prometheus' {@code limit} in, Prometheus' TSDB status envelope out.
     *
     * @throws ApiException bad_data for a limit that is not a number, internal when an endpoint failed and partial
     *                      response is off
     */
    public String apiAnswer(String limit, boolean partialResponse) {
        int top = DEFAULT_LIMIT;
        if (limit != null && !limit.isEmpty()) {
            try {
                top = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw ApiException.badData("limit must be a positive number");
            }
            if (top < 1) {
                top = DEFAULT_LIMIT; // Thanos' querier: a positive limit always applies
            }
        }
        List<TSDBStatisticsResponse> frames = collected(TSDBStatisticsRequest.newBuilder().setLimit(top)
                .setPartialResponseStrategy(partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT).build());
        TSDBStatisticsEntry merged = TSDBStatisticsEntry.getDefaultInstance();
        List<String> warnings = new ArrayList<>();
        for (TSDBStatisticsResponse frame : frames) {
            if (frame.getResultCase() == TSDBStatisticsResponse.ResultCase.WARNING) {
                warnings.add(frame.getWarning());
            } else {
                for (TSDBStatisticsEntry tenant : frame.getStatistics().getStatisticsMap().values()) {
                    merged = merge(merged, tenant);
                }
            }
        }
        return PrometheusJson.success(dataJson(merged, top), warnings);
    }

    /** Every endpoint's frames as answered, then one warning per failed endpoint (what Thanos' status proxy streams). */
    private List<TSDBStatisticsResponse> collected(TSDBStatisticsRequest request) {
        boolean partialResponse = request.getPartialResponseStrategy() != PartialResponseStrategy.ABORT;
        List<StoreFanOut.Endpoint> asked = endpoints.get().stream().filter(e -> e.info() != null && e.info().hasStatus()).toList();
        StreamFanOut.Answers<TSDBStatisticsResponse> answers = StreamFanOut.callEach(calls, asked, channel -> {
            List<TSDBStatisticsResponse> frames = new ArrayList<>();
            StatusGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).tSDBStatistics(request)
                    .forEachRemaining(frames::add);
            return frames;
        }, "tsdb statistics");
        return answers.withWarnings(partialResponse, "tsdb statistics", failure -> TSDBStatisticsResponse.newBuilder().setWarning(failure).build());
    }

    /**
     * {@code thanos.Status} over this fan-out, for a querier one level up (Thanos' querier serves its status proxy so):
     * the endpoints' statistics frames as answered, failures as warnings or, under the ABORT strategy, ABORTED.
     */
    public BindableService service() {
        return new StatusGrpc.StatusImplBase() {
            @Override
            public void tSDBStatistics(TSDBStatisticsRequest request, StreamObserver<TSDBStatisticsResponse> out) {
                List<TSDBStatisticsResponse> frames;
                try {
                    frames = collected(request);
                } catch (RuntimeException e) {
                    out.onError(ApiException.grpcStatus(e).asRuntimeException());
                    return;
                }
                frames.forEach(out::onNext);
                out.onCompleted();
            }
        };
    }

    /** Thanos' TSDBStatisticsEntry.Merge. */
    static TSDBStatisticsEntry merge(TSDBStatisticsEntry into, TSDBStatisticsEntry other) {
        HeadStatistics a = into.getHeadStatistics();
        HeadStatistics b = other.getHeadStatistics();
        HeadStatistics head = HeadStatistics.newBuilder()
                .setNumSeries(a.getNumSeries() + b.getNumSeries())
                .setNumLabelPairs(a.getNumLabelPairs() + b.getNumLabelPairs())
                .setChunkCount(a.getChunkCount() + b.getChunkCount())
                .setMinTime(a.getMinTime() <= 0 || a.getMinTime() > b.getMinTime() ? b.getMinTime() : a.getMinTime())
                .setMaxTime(Math.max(a.getMaxTime(), b.getMaxTime()))
                .build();
        return TSDBStatisticsEntry.newBuilder().setHeadStatistics(head)
                .addAllSeriesCountByMetricName(merge(into.getSeriesCountByMetricNameList(), other.getSeriesCountByMetricNameList(), Long::sum))
                .addAllLabelValueCountByLabelName(merge(into.getLabelValueCountByLabelNameList(), other.getLabelValueCountByLabelNameList(),
                        (x, y) -> Long.compareUnsigned(x, y) >= 0 ? x : y))
                .addAllMemoryInBytesByLabelName(merge(into.getMemoryInBytesByLabelNameList(), other.getMemoryInBytesByLabelNameList(), Long::sum))
                .addAllSeriesCountByLabelValuePair(merge(into.getSeriesCountByLabelValuePairList(), other.getSeriesCountByLabelValuePairList(), Long::sum))
                .build();
    }

    /** Names in the order first seen, equal names combined, then a stable sort by value, largest first. */
    private static List<Statistic> merge(List<Statistic> a, List<Statistic> b, LongBinaryOperator combine) {
        Map<String, Long> merged = new LinkedHashMap<>();
        for (List<Statistic> list : List.of(a, b)) {
            for (Statistic statistic : list) {
                merged.merge(statistic.getName(), statistic.getValue(), (x, y) -> combine.applyAsLong(x, y));
            }
        }
        List<Statistic> out = new ArrayList<>(merged.size());
        merged.forEach((name, value) -> out.add(Statistic.newBuilder().setName(name).setValue(value).build()));
        out.sort(Comparator.comparing(Statistic::getValue, Long::compareUnsigned).reversed());
        return out;
    }

    /** Prometheus' TSDBStatus JSON; each list cut at {@code limit}. */
    static String dataJson(TSDBStatisticsEntry entry, int limit) {
        HeadStatistics head = entry.getHeadStatistics();
        StringBuilder out = new StringBuilder("{\"headStats\":{\"numSeries\":").append(Long.toUnsignedString(head.getNumSeries()))
                .append(",\"numLabelPairs\":").append(head.getNumLabelPairs())
                .append(",\"chunkCount\":").append(head.getChunkCount())
                .append(",\"minTime\":").append(head.getMinTime())
                .append(",\"maxTime\":").append(head.getMaxTime()).append('}');
        statistics(out, "seriesCountByMetricName", entry.getSeriesCountByMetricNameList(), limit);
        statistics(out, "labelValueCountByLabelName", entry.getLabelValueCountByLabelNameList(), limit);
        statistics(out, "memoryInBytesByLabelName", entry.getMemoryInBytesByLabelNameList(), limit);
        statistics(out, "seriesCountByLabelValuePair", entry.getSeriesCountByLabelValuePairList(), limit);
        return out.append('}').toString();
    }

    private static void statistics(StringBuilder out, String field, List<Statistic> statistics, int limit) {
        out.append(",\"").append(field).append("\":[");
        for (int i = 0; i < Math.min(limit, statistics.size()); i++) {
            out.append(i == 0 ? "{\"name\":" : ",{\"name\":");
            PrometheusJson.writeString(out, statistics.get(i).getName());
            out.append(",\"value\":").append(Long.toUnsignedString(statistics.get(i).getValue())).append('}');
        }
        out.append(']');
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
