package io.gauntlet.rules.notifier;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gauntlet.rules.Alert;
import io.gauntlet.rules.RuleGroup;
import io.gauntlet.rules.template.TemplateExpander;
import io.gauntlet.tsdb.Labels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus' notifier for the Alertmanager API v2: alerts get the external labels they lack, then
 * {@code alert_relabel_configs}; a bounded queue (oldest dropped when full) is drained in batches of 64, each batch
 * POSTed to every discovered Alertmanager at once; a batch no Alertmanager took is dropped and counted, and the rules
 * send firing alerts again every resend delay, so alerts reach an Alertmanager that was down once it is back.
 */
public final class AlertmanagerNotifier implements RuleGroup.AlertSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertmanagerNotifier.class.getName());
    public static final int MAX_BATCH = 64;

    /**
     * @param queueCapacity  alerts held while Alertmanagers are slow ({@code --alertmanagers.queue-capacity}… 10000)
     * @param timeout        one POST ({@code --alertmanagers.send-timeout}, 10s)
     * @param queryUrl       generator URL base ({@code --alert.query-url}); alerts link to {@code <url>/graph?g0.expr=…&g0.tab=1}
     */
    public record Options(Labels externalLabels, List<RelabelConfig> relabelConfigs, int queueCapacity, Duration timeout, String queryUrl) {
        public Options {
            relabelConfigs = List.copyOf(relabelConfigs);
            queryUrl = queryUrl == null ? "" : queryUrl.endsWith("/") ? queryUrl.substring(0, queryUrl.length() - 1) : queryUrl;
        }
    }

    /** One alert as Alertmanager's API v2 takes it. */
    public record NotifierAlert(Labels labels, Labels annotations, long startsAtMillis, long endsAtMillis, String generatorUrl) {
    }

    private final Options options;
    private final AlertmanagerDiscovery discovery;
    private final HttpClient http;
    private final ArrayDeque<NotifierAlert> queue = new ArrayDeque<>();
    private final Thread sender;
    private final MeterRegistry meters;
    private final Counter dropped;
    private final Map<String, Counter> sent = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, Timer> latency = new ConcurrentHashMap<>();
    private final AtomicLong queueLength = new AtomicLong();
    private volatile boolean closed;

    public AlertmanagerNotifier(Options options, AlertmanagerDiscovery discovery, MeterRegistry meters) {
        this.options = options;
        this.discovery = discovery;
        this.meters = meters;
        this.http = HttpClient.newBuilder().connectTimeout(options.timeout()).build();
        this.dropped = Counter.builder("prometheus_notifications_dropped")
                .description("Total number of alerts dropped due to errors when sending to Alertmanager.").register(meters);
        Gauge.builder("prometheus_notifications_queue_length", queueLength, AtomicLong::get)
                .description("The number of alert notifications in the queue.").register(meters);
        Gauge.builder("prometheus_notifications_queue_capacity", options, Options::queueCapacity)
                .description("The capacity of the alert notifications queue.").register(meters);
        Gauge.builder("prometheus_notifications_alertmanagers_discovered", discovery, d -> d.current().size())
                .description("The number of alertmanagers discovered and active.").register(meters);
        this.sender = Thread.ofPlatform().name("alertmanager-notifier").daemon().start(this::run);
    }

    @Override
    public void send(String expr, List<Alert.Snapshot> alerts) {
        List<NotifierAlert> converted = new ArrayList<>(alerts.size());
        for (Alert.Snapshot alert : alerts) {
            long endsAt = alert.resolvedAt() != Alert.UNSET ? alert.resolvedAt() : alert.validUntil();
            converted.add(new NotifierAlert(alert.labels(), alert.annotations(), alert.firedAt(), endsAt,
                    options.queryUrl() + TemplateExpander.tableLink(expr)));
        }
        enqueue(converted);
    }

    /** Adds external labels and relabels, then queues (Prometheus' Manager.Send). */
    public void enqueue(List<NotifierAlert> alerts) {
        List<NotifierAlert> out = new ArrayList<>(alerts.size());
        for (NotifierAlert alert : alerts) {
            Labels.Builder builder = alert.labels().toBuilder();
            options.externalLabels().forEach((name, value) -> {
                if (!alert.labels().has(name) || alert.labels().get(name).isEmpty()) {
                    builder.set(name, value);
                }
            });
            Labels relabeled = RelabelConfig.process(builder.build(), options.relabelConfigs());
            if (relabeled != null) {
                out.add(new NotifierAlert(relabeled, alert.annotations(), alert.startsAtMillis(), alert.endsAtMillis(), alert.generatorUrl()));
            }
        }
        if (out.isEmpty()) {
            return;
        }
        synchronized (queue) {
            int overflow = out.size() - options.queueCapacity();
            if (overflow > 0) {
                out = out.subList(overflow, out.size());
                dropped.increment(overflow);
                LOG.log(System.Logger.Level.WARNING, "alert batch larger than queue capacity, dropping {0} alerts", overflow);
            }
            int full = queue.size() + out.size() - options.queueCapacity();
            for (int i = 0; i < full; i++) {
                queue.pollFirst();
            }
            if (full > 0) {
                dropped.increment(full);
                LOG.log(System.Logger.Level.WARNING, "alert notification queue full, dropping {0} alerts", full);
            }
            queue.addAll(out);
            queueLength.set(queue.size());
            queue.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            List<NotifierAlert> batch = new ArrayList<>();
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait(1000);
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
                while (batch.size() < MAX_BATCH && !queue.isEmpty()) {
                    batch.add(queue.pollFirst());
                }
                queueLength.set(queue.size());
            }
            if (!batch.isEmpty() && !sendAll(batch)) {
                dropped.increment(batch.size());
            }
        }
    }

    /** POSTs the batch to every Alertmanager at once; true when at least one took it. */
    boolean sendAll(List<NotifierAlert> batch) {
        List<URI> targets = discovery.current();
        if (targets.isEmpty()) {
            return false;
        }
        String body = json(batch);
        List<CompletableFuture<Boolean>> results = new ArrayList<>();
        for (URI target : targets) {
            URI url = target.resolve(target.getPath().endsWith("/") ? "api/v2/alerts" : target.getPath() + "/api/v2/alerts");
            String name = url.toString();
            long start = System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(url).timeout(options.timeout()).header("Content-Type", "application/json")
                    .header("User-Agent", "Gauntlet-Ruler").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            results.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                latency.computeIfAbsent(name, n -> Timer.builder("prometheus_notifications_latency_seconds").tag("alertmanager", n)
                        .description("Latency quantiles for sending alert notifications.").register(meters))
                        .record(Duration.ofNanos(System.nanoTime() - start));
                boolean ok = failure == null && response.statusCode() / 100 == 2;
                if (ok) {
                    sent.computeIfAbsent(name, n -> Counter.builder("prometheus_notifications_sent").tag("alertmanager", n)
                            .description("Total number of alerts sent.").register(meters)).increment(batch.size());
                } else {
                    errors.computeIfAbsent(name, n -> Counter.builder("prometheus_notifications_errors").tag("alertmanager", n)
                            .description("Total number of errors sending alert notifications.").register(meters)).increment(batch.size());
                    LOG.log(System.Logger.Level.WARNING, "sending {0} alerts to {1} failed: {2}", batch.size(), name,
                            failure != null ? failure.toString() : "HTTP " + response.statusCode() + " " + response.body().strip());
                }
                return ok;
            }));
        }
        boolean any = false;
        for (CompletableFuture<Boolean> result : results) {
            any |= result.join();
        }
        return any;
    }

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    static String time(long millis) {
        if (millis == Alert.UNSET) {
            return "0001-01-01T00:00:00Z";
        }
        return RFC3339.format(Instant.ofEpochMilli(millis));
    }

    /** The API v2 body: [{"labels":…,"annotations":…,"startsAt":…,"endsAt":…,"generatorURL":…}]. */
    static String json(List<NotifierAlert> alerts) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            json.writeStartArray();
            for (NotifierAlert alert : alerts) {
                json.writeStartObject();
                writeLabels(json, "labels", alert.labels());
                writeLabels(json, "annotations", alert.annotations());
                json.writeStringField("startsAt", time(alert.startsAtMillis()));
                json.writeStringField("endsAt", time(alert.endsAtMillis()));
                json.writeStringField("generatorURL", alert.generatorUrl());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    private static void writeLabels(JsonGenerator json, String field, Labels labels) throws IOException {
        json.writeObjectFieldStart(field);
        for (int i = 0; i < labels.size(); i++) {
            json.writeStringField(labels.name(i), labels.value(i));
        }
        json.writeEndObject();
    }

    public int queued() {
        synchronized (queue) {
            return queue.size();
        }
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        discovery.close();
    }
}
