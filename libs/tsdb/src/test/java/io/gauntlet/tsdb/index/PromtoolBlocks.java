package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.Labels;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes real Prometheus blocks for index tests: writes an OpenMetrics file with a fixed seed (several label
 * names, optional labels, unicode and escaped values, series with one to three chunks inside one 2h range) and
 * runs {@code promtool tsdb create-blocks-from openmetrics} on it.
 */
public final class PromtoolBlocks {
    static final long START_MILLIS = 1_700_000_000_000L / 7_200_000L * 7_200_000L; // a 2h boundary
    private static final String[] METRICS = {"http_requests_total", "process_cpu_seconds_total", "up", "node_memory_bytes", "go_gc_duration_seconds"};
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "get"};
    private static final String[] REGIONS = {"eu-west", "us-east", "östra", "北京", "😀-emoji", "\uE000-private", "quote\"back\\slash", "a\nnewline"};
    private static final String[] JOBS = {"api", "node", "prometheus", "db"};

    /** The series written (label sets, unsorted) and the directory of the single block promtool made. */
    public record Block(List<Labels> series, Path directory) {
        public Path index() {
            return directory.resolve("index");
        }
    }

    private PromtoolBlocks() {
    }

    public static Path promtool() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        Assumptions.abort("promtool not found on PATH: skipping the Prometheus compatibility test (install Debian package 'prometheus')");
        return null;
    }

    public static Block create(Path workDirectory, long seed, int seriesCount) throws IOException, InterruptedException {
        Random random = new Random(seed);
        TreeSet<Labels> unique = new TreeSet<>(Utf8Order::compare);
        while (unique.size() < seriesCount) {
            unique.add(randomLabels(random, unique.size()));
        }
        List<Labels> series = new ArrayList<>(unique);
        Path input = workDirectory.resolve("input.om");
        try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            // OpenMetrics wants the samples of a metric family together
            for (String metric : METRICS) {
                out.write("# TYPE " + metric + " gauge\n");
                for (Labels labels : series) {
                    if (!labels.get(Labels.METRIC_NAME).equals(metric)) {
                        continue;
                    }
                    int samples = 1 + random.nextInt(300); // 120 samples make a chunk
                    String selector = selector(labels);
                    for (int s = 0; s < samples; s++) {
                        long millis = START_MILLIS + s * 15_000L + random.nextInt(1000);
                        out.write(selector + " " + random.nextInt(1000) + " " + millis / 1000 + "." + String.format("%03d", millis % 1000) + "\n");
                    }
                }
            }
            out.write("# EOF\n");
        }
        Path blocks = workDirectory.resolve("blocks");
        Process process = new ProcessBuilder(promtool().toString(), "tsdb", "create-blocks-from", "openmetrics", input.toString(), blocks.toString())
                .redirectErrorStream(true).redirectOutput(workDirectory.resolve("promtool.log").toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("promtool failed: " + Files.readString(workDirectory.resolve("promtool.log")));
        }
        try (Stream<Path> dirs = Files.list(blocks)) {
            List<Path> found = dirs.filter(d -> Files.exists(d.resolve("meta.json"))).toList();
            if (found.size() != 1) {
                throw new IOException("expected one block, promtool made " + found);
            }
            return new Block(series, found.getFirst());
        }
    }

    private static Labels randomLabels(Random random, int counter) {
        Labels.Builder builder = Labels.builder()
                .set(Labels.METRIC_NAME, METRICS[random.nextInt(METRICS.length)])
                .set("job", JOBS[random.nextInt(JOBS.length)])
                .set("instance", "10.0." + random.nextInt(4) + "." + random.nextInt(250) + ":9" + counter % 7);
        if (random.nextInt(2) == 0) {
            builder.set("method", METHODS[random.nextInt(METHODS.length)]);
        }
        if (random.nextInt(3) == 0) {
            builder.set("region", REGIONS[random.nextInt(REGIONS.length)]);
        }
        if (random.nextInt(10) == 0) {
            builder.set("env", random.nextBoolean() ? "prod" : "dev");
        }
        return builder.build();
    }

    private static String selector(Labels labels) {
        StringBuilder out = new StringBuilder(labels.get(Labels.METRIC_NAME)).append('{');
        boolean first = true;
        for (int i = 0; i < labels.size(); i++) {
            if (labels.name(i).equals(Labels.METRIC_NAME)) {
                continue;
            }
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(labels.name(i)).append("=\"")
                    .append(labels.value(i).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        }
        return out.append('}').toString();
    }
}
