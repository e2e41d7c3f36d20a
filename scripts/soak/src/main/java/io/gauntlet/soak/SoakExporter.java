package io.gauntlet.soak;

import com.sun.net.httpserver.HttpServer;
import io.gauntlet.seed.SyntheticSeries;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A synthetic exporter: {@code /metrics} in Prometheus' text format with the {@link ExpectedSeries}, every sample
 * stamped with an explicit timestamp on the scrape grid (Prometheus keeps exporter timestamps), so both replicas of a
 * pair store identical samples. The JDK's HTTP server is enough for two scrapers.
 */
public final class SoakExporter {
    private SoakExporter() {
    }

    public static void run(String host, int port, ExpectedSeries expected) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/metrics", exchange -> {
            byte[] body = render(expected, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.start();
        System.out.printf("soak exporter on http://%s:%d/metrics: %d series, samples stamped on a %d ms grid%n", host, port,
                expected.all().size(), expected.interval());
    }

    static String render(ExpectedSeries expected, long now) {
        long t = expected.gridTime(now);
        StringBuilder out = new StringBuilder(2048);
        String family = null;
        for (SyntheticSeries series : expected.all()) {
            if (!series.family().equals(family)) {
                family = series.family();
                out.append("# TYPE ").append(series.labels().get("__name__")).append(' ').append(series.type()).append('\n');
            }
            out.append(series.labels().get("__name__")).append('{');
            boolean first = true;
            for (int i = 0; i < series.labels().size(); i++) {
                if (series.labels().name(i).equals("__name__")) {
                    continue;
                }
                out.append(first ? "" : ",").append(series.labels().name(i)).append("=\"").append(series.labels().value(i)).append('"');
                first = false;
            }
            out.append("} ").append(ExpectedSeries.value(series, t)).append(' ').append(t).append('\n');
        }
        return out.toString();
    }
}
