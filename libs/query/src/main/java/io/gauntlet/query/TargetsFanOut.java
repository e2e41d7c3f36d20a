package io.gauntlet.query;

import com.google.protobuf.Timestamp;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.PartialResponseStrategy;
import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.targets.ActiveTarget;
import io.gauntlet.proto.thanos.targets.DroppedTarget;
import io.gauntlet.proto.thanos.targets.TargetsGrpc;
import io.gauntlet.proto.thanos.targets.TargetsRequest;
import io.gauntlet.proto.thanos.targets.TargetsResponse;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.tsdb.Labels;
import io.grpc.BindableService;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The querier's {@code /api/v1/targets} (Thanos' targets proxy): every healthy endpoint whose Info announces the
 * Targets API is asked; targets are sorted and deduplicated as Thanos' querier does — replica labels removed from the
 * discovered and target labels, of the targets that became equal the one in the lowest health, then the most recently
 * scraped, kept — then filtered by Prometheus' {@code scrapePool}. The answer is Prometheus 2.42's JSON.
 */
public final class TargetsFanOut implements AutoCloseable {
    private static final Comparator<ActiveTarget> ACTIVE_ORDER = Comparator.comparing(ActiveTarget::getScrapeUrl, Labels::compareStrings)
            .thenComparing(ActiveTarget::getScrapePool, Labels::compareStrings)
            .thenComparing(target -> labels(target.getDiscoveredLabels()), TargetsFanOut::compareLabels)
            .thenComparing(target -> labels(target.getLabels()), TargetsFanOut::compareLabels);
    private static final Comparator<DroppedTarget> DROPPED_ORDER = Comparator.comparing(target -> labels(target.getDiscoveredLabels()),
            TargetsFanOut::compareLabels);

    private final Supplier<List<StoreFanOut.Endpoint>> endpoints;
    private final Duration timeout;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public TargetsFanOut(Supplier<List<StoreFanOut.Endpoint>> endpoints, Duration timeout) {
        this.endpoints = endpoints;
        this.timeout = timeout;
    }

    /** The merged targets and the warnings of endpoints that failed. */
    public record Result(List<ActiveTarget> active, List<DroppedTarget> dropped, List<String> warnings) {
    }

    /**
     * The HTTP handler's work: Prometheus' {@code state} and {@code scrapePool} in, the success envelope out. A state
     * Prometheus does not know selects nothing, as in Prometheus.
     *
     * @throws ApiException internal when an endpoint failed and partial response is off (as Thanos' querier answers)
     */
    public String apiAnswer(String state, String scrapePool, List<String> replicaLabels, boolean partialResponse) {
        TargetsRequest.State requested = switch (state.toLowerCase(Locale.ROOT)) {
            case "", "any" -> TargetsRequest.State.ANY;
            case "active" -> TargetsRequest.State.ACTIVE;
            case "dropped" -> TargetsRequest.State.DROPPED;
            default -> null;
        };
        if (requested == null) {
            return PrometheusJson.success("{\"activeTargets\":[],\"droppedTargets\":[]}", List.of());
        }
        Result result = targets(requested, replicaLabels, partialResponse);
        List<ActiveTarget> active = result.active().stream()
                .filter(target -> scrapePool.isEmpty() || target.getScrapePool().equals(scrapePool)).toList();
        // dropped targets carry no pool on the wire: their discovered job label is the pool's job name
        List<DroppedTarget> dropped = result.dropped().stream()
                .filter(target -> scrapePool.isEmpty() || scrapePool.equals(value(target.getDiscoveredLabels(), "job"))).toList();
        return PrometheusJson.success(dataJson(active, dropped), result.warnings());
    }

    /** Asks every endpoint with the Targets API and deduplicates as Thanos' querier does. */
    public Result targets(TargetsRequest.State state, List<String> replicaLabels, boolean partialResponse) {
        List<String> warnings = new ArrayList<>();
        List<ActiveTarget> active = new ArrayList<>();
        List<DroppedTarget> dropped = new ArrayList<>();
        for (TargetsResponse frame : collected(state, partialResponse)) {
            if (frame.getResultCase() == TargetsResponse.ResultCase.WARNING) {
                warnings.add(frame.getWarning());
            } else if (frame.hasTargets()) {
                active.addAll(frame.getTargets().getActiveTargetsList());
                dropped.addAll(frame.getTargets().getDroppedTargetsList());
            }
        }
        return new Result(deduplicatedActive(active, replicaLabels), deduplicatedDropped(dropped, replicaLabels), warnings);
    }

    /** Every endpoint's frames as answered, then one warning per failed endpoint (what Thanos' targets proxy streams). */
    private List<TargetsResponse> collected(TargetsRequest.State state, boolean partialResponse) {
        TargetsRequest request = TargetsRequest.newBuilder().setState(state)
                .setPartialResponseStrategy(partialResponse ? PartialResponseStrategy.WARN : PartialResponseStrategy.ABORT).build();
        List<StoreFanOut.Endpoint> asked = endpoints.get().stream().filter(e -> e.info() != null && e.info().hasTargets()).toList();
        StreamFanOut.Answers<TargetsResponse> answers = StreamFanOut.callEach(calls, asked, channel -> {
            List<TargetsResponse> frames = new ArrayList<>();
            TargetsGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS).targets(request)
                    .forEachRemaining(frames::add);
            return frames;
        }, "targets");
        return answers.withWarnings(partialResponse, "targets", failure -> TargetsResponse.newBuilder().setWarning(failure).build());
    }

    /**
     * {@code thanos.Targets} over this fan-out, for a querier one level up (Thanos' querier serves its targets proxy so):
     * the endpoints' frames undeduplicated, failures as warnings or, under the ABORT strategy, ABORTED.
     */
    public BindableService service() {
        return new TargetsGrpc.TargetsImplBase() {
            @Override
            public void targets(TargetsRequest request, StreamObserver<TargetsResponse> out) {
                List<TargetsResponse> frames;
                try {
                    frames = collected(request.getState(), request.getPartialResponseStrategy() != PartialResponseStrategy.ABORT);
                } catch (RuntimeException e) {
                    out.onError(ApiException.grpcStatus(e).asRuntimeException());
                    return;
                }
                frames.forEach(out::onNext);
                out.onCompleted();
            }
        };
    }

    /** Thanos' dedupActiveTargets: sorted, replica labels removed, of equal neighbours the lowest health then newest scrape kept. */
    static List<ActiveTarget> deduplicatedActive(List<ActiveTarget> targets, List<String> replicaLabels) {
        List<ActiveTarget> sorted = targets.stream().map(TargetsFanOut::sortedLabels).sorted(ACTIVE_ORDER).toList();
        List<ActiveTarget> out = new ArrayList<>(sorted.size());
        for (ActiveTarget target : sorted) {
            ActiveTarget stripped = target.toBuilder().setDiscoveredLabels(without(target.getDiscoveredLabels(), replicaLabels))
                    .setLabels(without(target.getLabels(), replicaLabels)).build();
            if (out.isEmpty() || ACTIVE_ORDER.compare(out.getLast(), stripped) != 0) {
                out.add(stripped);
            } else if (compareState(out.getLast(), stripped) > 0) {
                out.set(out.size() - 1, stripped);
            }
        }
        return out;
    }

    static List<DroppedTarget> deduplicatedDropped(List<DroppedTarget> targets, List<String> replicaLabels) {
        List<DroppedTarget> sorted = targets.stream()
                .map(target -> target.toBuilder().setDiscoveredLabels(sorted(target.getDiscoveredLabels())).build()).sorted(DROPPED_ORDER).toList();
        List<DroppedTarget> out = new ArrayList<>(sorted.size());
        for (DroppedTarget target : sorted) {
            DroppedTarget stripped = target.toBuilder().setDiscoveredLabels(without(target.getDiscoveredLabels(), replicaLabels)).build();
            if (out.isEmpty() || DROPPED_ORDER.compare(out.getLast(), stripped) != 0) {
                out.add(stripped);
            }
        }
        return out;
    }

    /** Thanos' CompareState: health (DOWN < UP < UNKNOWN) first, then the later scrape counts as smaller. */
    private static int compareState(ActiveTarget a, ActiveTarget b) {
        int health = Integer.compare(a.getHealthValue(), b.getHealthValue());
        if (health != 0) {
            return health;
        }
        return -Long.compare(a.getLastScrape().getSeconds() * 1_000_000_000L + a.getLastScrape().getNanos(),
                b.getLastScrape().getSeconds() * 1_000_000_000L + b.getLastScrape().getNanos());
    }

    private static ActiveTarget sortedLabels(ActiveTarget target) {
        return target.toBuilder().setDiscoveredLabels(sorted(target.getDiscoveredLabels())).build();
    }

    private static ZLabelSet sorted(ZLabelSet labels) {
        List<Label> list = new ArrayList<>(labels.getLabelsList());
        list.sort(Comparator.comparing(Label::getName, Labels::compareStrings));
        return ZLabelSet.newBuilder().addAllLabels(list).build();
    }

    private static ZLabelSet without(ZLabelSet labels, List<String> replicaLabels) {
        if (replicaLabels.isEmpty()) {
            return labels;
        }
        ZLabelSet.Builder out = ZLabelSet.newBuilder();
        for (Label label : labels.getLabelsList()) {
            if (!replicaLabels.contains(label.getName())) {
                out.addLabels(label);
            }
        }
        return out.build();
    }

    /** Labels as pairs (values may be empty, as discovered labels' are). */
    private static List<Label> labels(ZLabelSet set) {
        return set.getLabelsList();
    }

    /** Prometheus' labels.Compare over name/value pairs. */
    private static int compareLabels(List<Label> a, List<Label> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int name = Labels.compareStrings(a.get(i).getName(), b.get(i).getName());
            if (name != 0) {
                return name;
            }
            int value = Labels.compareStrings(a.get(i).getValue(), b.get(i).getValue());
            if (value != 0) {
                return value;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /**
     * Prometheus 2.42's targets data. {@code scrapeInterval} and {@code scrapeTimeout}, which the Thanos wire does not
     * carry, are the discovered {@code __scrape_interval__} and {@code __scrape_timeout__} (left out when absent).
     */
    public static String dataJson(List<ActiveTarget> active, List<DroppedTarget> dropped) {
        StringBuilder out = new StringBuilder("{\"activeTargets\":[");
        for (int i = 0; i < active.size(); i++) {
            ActiveTarget target = active.get(i);
            out.append(i == 0 ? "{" : ",{").append("\"discoveredLabels\":");
            ExemplarsFanOut.writeLabels(out, target.getDiscoveredLabels().getLabelsList());
            out.append(",\"labels\":");
            ExemplarsFanOut.writeLabels(out, target.getLabels().getLabelsList());
            field(out, "scrapePool", target.getScrapePool());
            field(out, "scrapeUrl", target.getScrapeUrl());
            field(out, "globalUrl", target.getGlobalUrl());
            field(out, "lastError", target.getLastError());
            field(out, "lastScrape", rfc3339Nano(target.getLastScrape()));
            out.append(",\"lastScrapeDuration\":").append(PrometheusJson.jsonFloat(target.getLastScrapeDuration()));
            field(out, "health", target.getHealth() == io.gauntlet.proto.thanos.targets.TargetHealth.UP ? "up"
                    : target.getHealth() == io.gauntlet.proto.thanos.targets.TargetHealth.DOWN ? "down" : "unknown");
            String interval = value(target.getDiscoveredLabels(), "__scrape_interval__");
            String scrapeTimeout = value(target.getDiscoveredLabels(), "__scrape_timeout__");
            if (interval != null) {
                field(out, "scrapeInterval", interval);
            }
            if (scrapeTimeout != null) {
                field(out, "scrapeTimeout", scrapeTimeout);
            }
            out.append('}');
        }
        out.append("],\"droppedTargets\":[");
        for (int i = 0; i < dropped.size(); i++) {
            out.append(i == 0 ? "{" : ",{").append("\"discoveredLabels\":");
            ExemplarsFanOut.writeLabels(out, dropped.get(i).getDiscoveredLabels().getLabelsList());
            out.append('}');
        }
        return out.append("]}").toString();
    }

    private static String value(ZLabelSet labels, String name) {
        for (Label label : labels.getLabelsList()) {
            if (label.getName().equals(name)) {
                return label.getValue();
            }
        }
        return null;
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        PrometheusJson.writeString(out, value);
    }

    /** Go's RFC3339Nano in UTC: fraction digits without trailing zeros, none for a whole second. */
    static String rfc3339Nano(Timestamp time) {
        String seconds = DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(time.getSeconds()));
        if (time.getNanos() == 0) {
            return seconds;
        }
        String fraction = String.format("%09d", time.getNanos()).replaceFirst("0+$", "");
        return seconds.substring(0, seconds.length() - 1) + "." + fraction + "Z";
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
