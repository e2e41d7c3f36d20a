package io.gauntlet.query;

import io.gauntlet.promql.ErrorType;
import io.gauntlet.promql.ast.AggregateExpr;
import io.gauntlet.promql.ast.BinaryExpr;
import io.gauntlet.promql.ast.Call;
import io.gauntlet.promql.ast.Expr;
import io.gauntlet.promql.ast.GoStrings;
import io.gauntlet.promql.ast.MatrixSelector;
import io.gauntlet.promql.ast.ParenExpr;
import io.gauntlet.promql.ast.StepInvariantExpr;
import io.gauntlet.promql.ast.SubqueryExpr;
import io.gauntlet.promql.ast.UnaryExpr;
import io.gauntlet.promql.ast.VectorSelector;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.exemplars.Exemplar;
import io.gauntlet.proto.thanos.exemplars.ExemplarData;
import io.gauntlet.proto.thanos.exemplars.ExemplarsGrpc;
import io.gauntlet.proto.thanos.exemplars.ExemplarsRequest;
import io.gauntlet.proto.thanos.exemplars.ExemplarsResponse;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The querier's {@code /api/v1/query_exemplars} (Thanos' exemplars proxy): every healthy endpoint whose Info announces
 * the Exemplars API is asked with the query rewritten for it — each selector without the matchers its external labels
 * satisfy, selectors they contradict left out, an endpoint left with none not asked — and the series answered are
 * sorted by labels and kept once after the replica labels are removed (the first replica's exemplars), as Thanos'
 * querier deduplicates them. Parameters and errors are Prometheus'; failed endpoints become warnings with partial
 * response or fail the request without.
 */
public final class ExemplarsFanOut implements AutoCloseable {
    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public ExemplarsFanOut(Supplier<List<StoreFanOut.Endpoint>> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    /** The merged series with their exemplars, and the warnings of endpoints that failed. */
    public record Result(List<ExemplarData> data, List<String> warnings) {
    }

    /**
     * The HTTP handler's work: Prometheus' {@code query}, {@code start}, {@code end} in, the success envelope out; null
     * when the query has no selector (Prometheus answers 204 without a body then).
     *
     * @throws ApiException bad_data for bad parameters (Prometheus' messages), internal when an endpoint failed and
     *                      partial response is off
     */
    public String apiAnswer(String query, String start, String end, List<String> replicaLabels, boolean partialResponse) {
        ApiTime from = ApiParameters.parseTimeParameter("start", start, ApiTime.MIN);
        ApiTime to = ApiParameters.parseTimeParameter("end", end, ApiTime.MAX);
        if (to.before(from)) {
            throw ApiException.badData("end timestamp must not be before start timestamp");
        }
        List<List<LabelMatcher>> selectors = selectors(PromqlParser.parseExpr(query));
        if (selectors.isEmpty()) {
            return null;
        }
        Result result = exemplars(selectors, from.storageMillis(), to.storageMillis(), replicaLabels, partialResponse);
        return PrometheusJson.success(dataJson(result.data()), result.warnings());
    }

    /** Asks every endpoint with the Exemplars API and deduplicates the series as Thanos' querier does. */
    public Result exemplars(List<List<LabelMatcher>> selectors, long start, long end, List<String> replicaLabels, boolean partialResponse) {
        Result collected = collected(selectors, start, end, partialResponse);
        return new Result(deduplicated(collected.data(), replicaLabels), collected.warnings());
    }

    /** Every endpoint's series as answered, in endpoint order (what Thanos' exemplars proxy streams to a querier above). */
    private Result collected(List<List<LabelMatcher>> selectors, long start, long end, boolean partialResponse) {
        List<StoreFanOut.Endpoint> asked = new ArrayList<>();
        List<StreamFanOut.Call<ExemplarData>> perEndpoint = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (StoreFanOut.Endpoint endpoint : endpoints.get()) {
            if (endpoint.info() == null || !endpoint.info().hasExemplars()) {
                continue;
            }
            String query = queryFor(selectors, endpoint.info().getLabelSetsList());
            if (query.isEmpty()) {
                continue; // its external labels contradict every selector
            }
            ExemplarsRequest request = ExemplarsRequest.newBuilder().setQuery(query).setStart(start).setEnd(end)
                    .setPartialResponseStrategy(partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT).build();
            asked.add(endpoint);
            perEndpoint.add(channel -> {
                List<ExemplarData> frames = new ArrayList<>();
                ExemplarsGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).exemplars(request)
                        .forEachRemaining(frame -> {
                            if (frame.getResultCase() == ExemplarsResponse.ResultCase.WARNING) {
                                synchronized (warnings) {
                                    warnings.add(frame.getWarning());
                                }
                            } else if (frame.hasData()) {
                                frames.add(frame.getData());
                            }
                        });
                return frames;
            });
        }
        StreamFanOut.Answers<ExemplarData> answers = StreamFanOut.call(calls, asked, perEndpoint, "exemplars");
        if (!answers.failures().isEmpty() && !partialResponse) {
            throw new ApiException(ErrorType.INTERNAL, "retrieving exemplars: " + answers.failures().getFirst());
        }
        List<String> allWarnings = new ArrayList<>(warnings);
        allWarnings.addAll(answers.failures());
        return new Result(answers.frames(), allWarnings);
    }

    /**
     * {@code thanos.Exemplars} over this fan-out, for a querier one level up (Thanos' querier serves its exemplars proxy
     * so): the endpoints' series undeduplicated (the querier above removes its replica labels), then the warnings; a
     * query that does not parse is INVALID_ARGUMENT, an endpoint failing under the ABORT strategy ABORTED.
     */
    public BindableService service() {
        return new ExemplarsGrpc.ExemplarsImplBase() {
            @Override
            public void exemplars(ExemplarsRequest request, StreamObserver<ExemplarsResponse> out) {
                Result result;
                try {
                    result = collected(selectors(PromqlParser.parseExpr(request.getQuery())), request.getStart(), request.getEnd(),
                            request.getPartialResponseStrategy() != PartialResponseStrategy.ABORT);
                } catch (RuntimeException e) {
                    out.onError(ApiException.grpcStatus(e).asRuntimeException());
                    return;
                }
                result.data().forEach(series -> out.onNext(ExemplarsResponse.newBuilder().setData(series).build()));
                result.warnings().forEach(warning -> out.onNext(ExemplarsResponse.newBuilder().setWarning(warning).build()));
                out.onCompleted();
            }
        };
    }

    /** Prometheus' {@code parser.ExtractSelectors}: the matchers of every vector selector, in the order written. */
    public static List<List<LabelMatcher>> selectors(Expr expr) {
        List<List<LabelMatcher>> out = new ArrayList<>();
        collect(expr, out);
        return out;
    }

    private static void collect(Expr expr, List<List<LabelMatcher>> out) {
        switch (expr) {
            case VectorSelector selector -> out.add(selector.matchers());
            case MatrixSelector matrix -> collect(matrix.selector(), out);
            case AggregateExpr aggregate -> {
                if (aggregate.param() != null) {
                    collect(aggregate.param(), out);
                }
                collect(aggregate.expr(), out);
            }
            case BinaryExpr binary -> {
                collect(binary.lhs(), out);
                collect(binary.rhs(), out);
            }
            case Call call -> call.arguments().forEach(argument -> collect(argument, out));
            case ParenExpr paren -> collect(paren.expr(), out);
            case SubqueryExpr subquery -> collect(subquery.expr(), out);
            case UnaryExpr unary -> collect(unary.expr(), out);
            case StepInvariantExpr invariant -> collect(invariant.expr(), out);
            default -> {
                // literals select nothing
            }
        }
    }

    /**
     * Thanos' rewrite for one endpoint: per selector, the matchers on names its external labels carry are dropped when
     * they match (Prometheus' own exemplar API knows no external labels), the selector skipped when one does not; the
     * rest joined as {@code {a="1", b=~"x"} + {c="2"}}. Empty when no selector is left.
     */
    static String queryFor(List<List<LabelMatcher>> selectors, List<ZLabelSet> labelSets) {
        List<Labels> external = labelSets.stream().map(set -> StoreWire.fromWire(set.getLabelsList())).toList();
        StringBuilder query = new StringBuilder();
        selectors:
        for (List<LabelMatcher> matchers : selectors) {
            List<String> kept = new ArrayList<>();
            for (LabelMatcher matcher : matchers) {
                boolean satisfiedExternally = false;
                for (Labels set : external) {
                    String value = set.get(matcher.name());
                    if (value != null && !value.isEmpty()) {
                        if (!matcher.matches(value)) {
                            continue selectors;
                        }
                        satisfiedExternally = true;
                    }
                }
                if (!satisfiedExternally) {
                    kept.add(matcher.name() + matcher.type().symbol() + GoStrings.quote(matcher.value()));
                }
            }
            query.append(query.isEmpty() ? "{" : " + {").append(String.join(", ", kept)).append('}');
        }
        return query.toString();
    }

    /** Thanos' dedup: sorted by series labels, replica labels removed, neighbours that became equal kept once. */
    static List<ExemplarData> deduplicated(List<ExemplarData> data, List<String> replicaLabels) {
        List<Labels> labels = new ArrayList<>(data.size());
        List<Integer> order = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            labels.add(StoreWire.fromWire(data.get(i).getSeriesLabels().getLabelsList()));
            order.add(i);
        }
        order.sort(Comparator.comparing(labels::get));
        List<ExemplarData> out = new ArrayList<>(data.size());
        Labels previous = null;
        for (int index : order) {
            Labels stripped = labels.get(index).without(replicaLabels);
            if (stripped.equals(previous)) {
                continue;
            }
            previous = stripped;
            ExemplarData.Builder kept = data.get(index).toBuilder();
            kept.getSeriesLabelsBuilder().clearLabels().addAllLabels(StoreWire.toWire(stripped));
            out.add(kept.build());
        }
        return out;
    }

    /** Prometheus' query_exemplars data: {@code [{"seriesLabels":{…},"exemplars":[{"labels":{…},"value":"…","timestamp":…}]}]}. */
    public static String dataJson(List<ExemplarData> data) {
        StringBuilder out = new StringBuilder("[");
        for (ExemplarData series : data) {
            out.append(out.length() == 1 ? "{\"seriesLabels\":" : ",{\"seriesLabels\":");
            writeLabels(out, series.getSeriesLabels().getLabelsList());
            out.append(",\"exemplars\":[");
            boolean first = true;
            for (Exemplar exemplar : series.getExemplarsList()) {
                out.append(first ? "{\"labels\":" : ",{\"labels\":");
                first = false;
                writeLabels(out, exemplar.getLabels().getLabelsList());
                out.append(",\"value\":\"");
                PrometheusJson.appendSampleValue(out, exemplar.getValue());
                out.append("\",\"timestamp\":");
                PrometheusJson.writeTimestamp(out, exemplar.getTs());
                out.append('}');
            }
            out.append("]}");
        }
        return out.append(']').toString();
    }

    /** Labels as a JSON object, in the order given (sorted by the sender, as Prometheus' labels are). */
    static void writeLabels(StringBuilder out, List<Label> labels) {
        out.append('{');
        boolean first = true;
        for (Label label : labels) {
            if (!first) {
                out.append(',');
            }
            first = false;
            PrometheusJson.writeString(out, label.getName());
            out.append(':');
            PrometheusJson.writeString(out, label.getValue());
        }
        out.append('}');
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
