package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.prometheusUrl;
import static io.gauntlet.querier.QuerierTesting.querierUrl;

import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.StoreQueryable;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Where a one-selector query's fixed cost goes: the querier (over one in-memory store on loopback gRPC) and Prometheus
 * 2.42 on the same data, probed piece by piece — the whole query over HTTP, a query that reads no store, an endpoint
 * that does no work, the engine without HTTP, the store's Series call alone. Median latency of alternating runs, then
 * CPU per call of every thread of this JVM and of Prometheus (schedstat), JIT compiler threads left out. Not part of
 * the test run: {@code mvn -pl services/querier test -Dtest=QuerierOverheadBench}; appends to target/querier-overhead.txt.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "benchInstances", value = "60"), @ResourceArg(name = "benchDayInstances", value = "0")})
class QuerierOverheadBench {
    private static final long T = TestData.T0 / 1000;
    @Inject
    EndpointSet endpoints;
    @Inject
    PromqlEngine engine;

    private static long total(Map<String, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<String, Long> threads(String dir) {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of(dir))) {
            for (var task : tasks.toList()) {
                try {
                    String schedstat = java.nio.file.Files.readString(task.resolve("schedstat"));
                    String name = java.nio.file.Files.readString(task.resolve("comm")).trim().replaceAll("\\d+", "N");
                    out.merge(name, Long.parseLong(schedstat.substring(0, schedstat.indexOf(' '))), Long::sum);
                } catch (java.io.IOException ignored) {
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    @Test
    void whereTheTimeGoes() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(prometheusUrl().isEmpty(), "Prometheus 2.42 not installed");
        QuerierTesting.awaitStoresHealthy(1);
        String sel = "http_requests_total{instance=\"i7\"}";
        String q = "/api/v1/query?query=" + encode(sel) + "&time=" + (T + 3600);
        String r = "/api/v1/query_range?query=" + encode(sel) + "&start=" + T + "&end=" + (T + 7200) + "&step=60";
        String one = "/api/v1/query?query=1&time=" + (T + 3600);
        String build = "/api/v1/status/buildinfo";
        String fmt = "/api/v1/format_query?query=" + encode(sel);
        StoreQueryable queryable = new StoreQueryable(endpoints::healthy, StoreQueryable.Options.defaults(List.of()));
        var expr = PromqlParser.parseExpr(sel);
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(TestData.T0).setMaxTime(TestData.T0 + 3_600_000)
                .addAllMatchers(StoreWire.toWireMatchers(PromqlParser.parseMetricSelector(sel))).setResponseBatchSize(64).build();
        Map<String, Supplier<Object>> probes = new LinkedHashMap<>();
        probes.put("P query i7", () -> get(prometheusUrl(), q));
        probes.put("G query i7", () -> get(querierUrl(), q));
        probes.put("P range i7", () -> get(prometheusUrl(), r));
        probes.put("G range i7", () -> get(querierUrl(), r));
        probes.put("P query 1", () -> get(prometheusUrl(), one));
        probes.put("G query 1", () -> get(querierUrl(), one));
        probes.put("P buildinfo", () -> get(prometheusUrl(), build));
        probes.put("G buildinfo", () -> get(querierUrl(), build));
        probes.put("G format_query", () -> get(querierUrl(), fmt));
        probes.put("G engine instant (no HTTP)", () -> engine.instantQuery(queryable, expr, TestData.T0 + 3_600_000, null));
        probes.put("G grpc Series (no HTTP, no engine)", () -> {
            try (StoreSeriesSet set = endpoints.healthy().getFirst().client().series(request)) {
                int n = 0;
                while (set.next()) {
                    n++;
                }
                return n;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long warm = System.nanoTime() + Long.getLong("querier.overhead.warm-up", 40) * 1_000_000_000L;
        while (System.nanoTime() < warm) {
            probes.values().forEach(Supplier::get);
        }
        int rounds = Integer.getInteger("querier.overhead.rounds", 400);
        Map<String, double[]> times = new LinkedHashMap<>();
        probes.keySet().forEach(k -> times.put(k, new double[rounds]));
        for (int i = 0; i < rounds; i++) {
            for (var e : probes.entrySet()) {
                long s = System.nanoTime();
                e.getValue().get();
                times.get(e.getKey())[i] = (System.nanoTime() - s) / 1e3;
            }
        }
        StringBuilder out = new StringBuilder("load average " + QuerierBench.loadAverage() + "\n");
        times.forEach((k, v) -> {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            out.append(String.format("%-40s median %8.1f us  p25 %8.1f  p75 %8.1f%n", k, s[s.length / 2], s[s.length / 4], s[s.length * 3 / 4]));
        });
        // CPU per call, per probe, in blocks (load does not stretch it); Prometheus' whole process for its probes
        long promPid = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("test.prometheus-pid", Long.class);
        for (var e : probes.entrySet()) {
            Map<String, Long> before = threads("/proc/self/task");
            long pBefore = total(threads("/proc/" + promPid + "/task"));
            int n = 300;
            for (int i = 0; i < n; i++) {
                e.getValue().get();
            }
            Map<String, Long> after = threads("/proc/self/task");
            long pAfter = total(threads("/proc/" + promPid + "/task"));
            after.replaceAll((k, v) -> v - before.getOrDefault(k, 0L));
            after.remove("CN CompilerThre"); // the JIT compiles in the background of every probe
            StringBuilder top = new StringBuilder();
            after.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(8)
                    .forEach(t -> top.append(String.format(" %s=%.0f", t.getKey(), t.getValue() / 1e3 / n)));
            out.append(String.format("CPU %-36s jvm %7.1f us  prometheus %7.1f us |%s%n", e.getKey(), total(after) / 1e3 / n,
                    (pAfter - pBefore) / 1e3 / n, top));
        }
        System.out.println(out);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "querier-overhead.txt"), out, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }
}
