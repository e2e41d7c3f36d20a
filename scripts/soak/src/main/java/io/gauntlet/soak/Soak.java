package io.gauntlet.soak;

import io.gauntlet.seed.SeedHistory;
import io.gauntlet.seed.Seeder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chaos soak's Java side, called by scripts/soak/soak.sh:
 *
 * <pre>
 * Soak exporter --listen 127.0.0.1:9100 [--interval-ms 5000]
 * Soak load --querier URL --clusters slave1,slave2 --since-ms N --until-ms N [--stop-file F] --out queries.tsv [--interval-ms 5000]
 * Soak report --queries queries.tsv --phases phases.tsv
 * Soak check --querier URL --store-match SELECTOR --cluster slave1 --replicas URL,URL --from-ms N --to-ms N
 *            [--wait-seconds 300] [--interval-ms 5000]
 * Soak downsampled --querier URL --store-match SELECTOR --cluster slave1 --resolutions 5m,1h [--wait-seconds 300]
 *            --seed-duration 10d --seed-end-ms N [--seed-…: the rest of the SeedHistory arguments that seeded it]
 * </pre>
 * Exit codes: 0 fine, 1 a check failed, 2 bad arguments.
 */
public final class Soak {
    private Soak() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage("no command");
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        ExpectedSeries expected = new ExpectedSeries(Long.parseLong(options.getOrDefault("interval-ms", "5000")));
        switch (args[0]) {
            case "exporter" -> {
                String listen = required(options, "listen");
                int colon = listen.lastIndexOf(':');
                SoakExporter.run(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)), expected);
            }
            case "load" -> QueryLoad.run(required(options, "querier"), List.of(required(options, "clusters").split(",")),
                    Long.parseLong(required(options, "since-ms")), Long.parseLong(required(options, "until-ms")),
                    options.containsKey("stop-file") ? Path.of(options.get("stop-file")) : null, Path.of(required(options, "out")), expected);
            case "report" -> {
                StringBuilder failures = new StringBuilder();
                boolean ok = SoakReport.print(Path.of(required(options, "queries")), Path.of(required(options, "phases")), failures);
                if (!ok) {
                    System.out.print("answers wrong or silently incomplete (first ten):\n" + failures);
                    System.exit(1);
                }
            }
            case "check" -> {
                List<QueryApi> replicas = new ArrayList<>();
                for (String url : required(options, "replicas").split(",")) {
                    replicas.add(BucketCheck.api(url));
                }
                long deadline = System.currentTimeMillis() + 1000L * Long.parseLong(options.getOrDefault("wait-seconds", "300"));
                BucketCheck.Result result;
                while (true) {
                    try {
                        result = BucketCheck.check(expected, BucketCheck.api(required(options, "querier")), required(options, "store-match"),
                                required(options, "cluster"), replicas, Long.parseLong(required(options, "from-ms")), Long.parseLong(required(options, "to-ms")));
                    } catch (QueryApi.QueryFailed e) {
                        result = new BucketCheck.Result(false, required(options, "cluster") + ": " + e.getMessage());
                    }
                    if (result.ok() || System.currentTimeMillis() > deadline) {
                        break;
                    }
                    Thread.sleep(5_000); // the bucket converges as shippers upload and store gateways load
                }
                System.out.println(result.summary());
                if (!result.ok()) {
                    System.exit(1);
                }
            }
            case "downsampled" -> {
                // the seeded history as SeedHistory wrote it: its own arguments, each prefixed with "seed-"
                Map<String, String> seedArguments = new HashMap<>();
                options.forEach((name, value) -> {
                    if (name.startsWith("seed-")) {
                        seedArguments.put(name.substring("seed-".length()), value);
                    }
                });
                Seeder.Options seeded = SeedHistory.seederOptions(seedArguments);
                long deadline = System.currentTimeMillis() + 1000L * Long.parseLong(options.getOrDefault("wait-seconds", "300"));
                DownsampledCheck.Result result;
                while (true) {
                    try {
                        result = DownsampledCheck.check(BucketCheck.api(required(options, "querier")), required(options, "store-match"),
                                required(options, "cluster"), seeded, List.of(required(options, "resolutions").split(",")));
                    } catch (QueryApi.QueryFailed e) {
                        result = new DownsampledCheck.Result(false, required(options, "cluster") + ": " + e.getMessage());
                    }
                    if (result.ok() || System.currentTimeMillis() > deadline) {
                        break;
                    }
                    Thread.sleep(5_000); // the store gateways load the merged and downsampled blocks as the compactor makes them
                }
                System.out.println(result.summary());
                if (!result.ok()) {
                    System.exit(1);
                }
            }
            default -> usage("unknown command " + args[0]);
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                usage("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            usage("--" + name + " is required");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("soak: " + problem + " (see io.gauntlet.soak.Soak's usage)");
        System.exit(2);
    }
}
