package io.gauntlet.sidecar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.proto.thanos.Label;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Series as comparable text, one line per series: {@code {labels} t=v t=v ...}, samples restricted to a time range.
 * Built from StoreAPI answers (decoding the chunks) and from Prometheus' own {@code /api/v1/query} of {@code x[range]}.
 */
final class SeriesText {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SeriesText() {
    }

    /** Lines of a Series answer, in answer order; also checks chunk types, order and that labels come sorted. */
    static List<String> fromStoreApi(Iterator<SeriesResponse> answer, long minTime, long maxTime) throws Exception {
        List<String> lines = new ArrayList<>();
        XorSampleIterator samples = new XorSampleIterator();
        Labels previousLabels = null;
        while (answer.hasNext()) {
            SeriesResponse response = answer.next();
            if (!response.hasSeries()) {
                continue;
            }
            Labels seriesLabels = labels(response.getSeries().getLabelsList());
            if (previousLabels != null && seriesLabels.compareTo(previousLabels) <= 0) {
                throw new AssertionError("series out of order: " + seriesLabels + " after " + previousLabels);
            }
            previousLabels = seriesLabels;
            StringBuilder line = new StringBuilder(seriesLabels.toString());
            long previous = Long.MIN_VALUE;
            int kept = 0;
            for (AggrChunk chunk : response.getSeries().getChunksList()) {
                if (chunk.getRaw().getType() != Chunk.Encoding.XOR) {
                    throw new AssertionError("chunk type " + chunk.getRaw().getType() + " instead of storepb XOR (0)");
                }
                samples.reset(chunk.getRaw().getData().toByteArray());
                while (samples.next()) {
                    long t = samples.timestamp();
                    if (t < chunk.getMinTime() || t > chunk.getMaxTime()) {
                        throw new AssertionError("sample " + t + " outside its chunk [" + chunk.getMinTime() + ", " + chunk.getMaxTime() + "]");
                    }
                    if (t < minTime || t > maxTime) {
                        continue;
                    }
                    if (t <= previous) {
                        throw new AssertionError("samples out of order in " + line);
                    }
                    previous = t;
                    line.append(' ').append(t).append('=').append(value(samples.value()));
                    kept++;
                }
            }
            if (kept > 0) {
                lines.add(line.toString());
            }
        }
        return lines;
    }

    /** Lines of {@code selector[maxTime - minTime]} evaluated at maxTime by Prometheus, with {@code extra} labels added. */
    static List<String> fromPrometheusQuery(URI prometheus, String selector, long minTime, long maxTime, Map<String, String> extra)
            throws Exception {
        String query = selector + "[" + (maxTime - minTime) + "ms]";
        String form = "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + BigDecimal.valueOf(maxTime, 3).toPlainString();
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(prometheus.resolve("/api/v1/query"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode envelope = JSON.readTree(response.body());
        if (!"success".equals(envelope.path("status").asText())) {
            throw new AssertionError("prometheus query " + query + " failed: " + response.body());
        }
        List<String> lines = new ArrayList<>();
        for (JsonNode series : envelope.path("data").path("result")) {
            Labels.Builder labels = Labels.builder();
            series.path("metric").properties().forEach(e -> labels.set(e.getKey(), e.getValue().asText()));
            extra.forEach(labels::set);
            StringBuilder line = new StringBuilder(labels.build().toString());
            for (JsonNode point : series.path("values")) {
                long t = new BigDecimal(point.get(0).asText()).movePointRight(3).longValueExact();
                line.append(' ').append(t).append('=').append(value(parse(point.get(1).asText())));
            }
            lines.add(line.toString());
        }
        lines.sort(null);
        return lines;
    }

    static Labels labels(List<Label> labels) {
        Labels.Builder builder = Labels.builder();
        for (Label label : labels) {
            builder.set(label.getName(), label.getValue());
        }
        return builder.build();
    }

    private static double parse(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** Exact: the bit pattern (every NaN alike, as the JSON API cannot tell them apart). */
    private static String value(double v) {
        return Double.isNaN(v) ? "NaN" : Long.toHexString(Double.doubleToRawLongBits(v));
    }
}
