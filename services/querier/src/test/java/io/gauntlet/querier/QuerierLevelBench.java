package io.gauntlet.querier;

import static io.gauntlet.querier.QuerierBench.PATHS;
import static io.gauntlet.querier.QuerierBench.jvmCpuNanos;
import static io.gauntlet.querier.QuerierBench.loadAverage;
import static io.gauntlet.querier.QuerierBench.median;
import static io.gauntlet.querier.QuerierBench.timed;
import static io.gauntlet.querier.QuerierTesting.encode;
import static io.gauntlet.querier.QuerierTesting.get;
import static io.gauntlet.querier.QuerierTesting.querierUrl;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * What one querier level costs: {@link QuerierBench}'s queries over the same in-memory store (500 instances), asked by
 * the querier directly and through a second querier that serves the StoreAPI over that store (its endpoint set, proxy
 * store and StoreServer on loopback gRPC in this JVM), one after the other for every run ({@code storeMatch[]} picks the
 * path), so both see the same machine load. Prints per query the median latency of each path and the difference. Not
 * part of the test run: {@code mvn -pl services/querier test -Dtest=QuerierLevelBench}. Writes target/querier-level-bench.txt.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "benchInstances", value = "500"), @ResourceArg(name = "benchStore", value = "behind-querier")})
class QuerierLevelBench {
    private static final int RUNS = 21;
    private static final long WARM_UP_NANOS = 60_000_000_000L;

    @Test
    void oneMoreQuerierLevel() throws Exception {
        QuerierTesting.awaitStoresHealthy(2);
        String direct = "&storeMatch[]=" + encode("{__address__=\"" + config("test.bench-store") + "\"}");
        String viaQuerier = "&storeMatch[]=" + encode("{__address__=\"" + config("test.bench-lower-querier") + "\"}");
        for (String path : PATHS) {
            // the same answer both ways, and a non-empty one
            String once = get(querierUrl(), path + direct).body();
            assertThat(get(querierUrl(), path + viaQuerier).body()).as(path).isEqualTo(once);
            assertThat(once).as(path).contains("\"result\":[{");
        }
        long warmUpEnd = System.nanoTime() + WARM_UP_NANOS; // the JIT settles in about a minute on these busy cores
        int passes = 0;
        while (System.nanoTime() < warmUpEnd) {
            for (String path : PATHS) {
                timed(querierUrl(), path + direct);
                timed(querierUrl(), path + viaQuerier);
            }
            passes++;
        }
        StringBuilder report = new StringBuilder(String.format("querier -> store vs querier -> querier -> store, %d warm-up passes, load average before: %s%n",
                passes, loadAverage()))
                .append("query | direct median ms | via a querier median ms | added ms | ratio | direct CPU ms | via CPU ms | CPU ratio\n");
        double logSum = 0;
        double cpuLogSum = 0;
        double addedSum = 0;
        for (String path : PATHS) {
            double[] one = new double[RUNS];
            double[] two = new double[RUNS];
            // CPU time of this JVM (store, both queriers, HTTP client; JIT threads left out), which load does not stretch
            long cpuOne = 0;
            long cpuTwo = 0;
            for (int i = 0; i < RUNS; i++) {
                // alternate which goes first, so neither always runs on the other's warm caches
                for (int k = 0; k < 2; k++) {
                    boolean viaFirst = (i + k) % 2 == 1;
                    long cpu = jvmCpuNanos();
                    if (viaFirst) {
                        two[i] = timed(querierUrl(), path + viaQuerier);
                        cpuTwo += jvmCpuNanos() - cpu;
                    } else {
                        one[i] = timed(querierUrl(), path + direct);
                        cpuOne += jvmCpuNanos() - cpu;
                    }
                }
            }
            double d = median(one);
            double v = median(two);
            double dc = cpuOne / 1e6 / RUNS;
            double vc = cpuTwo / 1e6 / RUNS;
            logSum += Math.log(v / d);
            cpuLogSum += Math.log(vc / dc);
            addedSum += v - d;
            report.append(String.format("%s | %.2f | %.2f | %+.2f | %.2f | %.2f | %.2f | %.2f%n", java.net.URLDecoder.decode(path,
                    java.nio.charset.StandardCharsets.UTF_8).replaceAll("&.*", "").replace("/api/v1/", ""), d, v, v - d, v / d, dc, vc, vc / dc));
        }
        report.append(String.format("geometric mean of via-a-querier/direct: latency %.2f, CPU %.2f; mean added latency: %.2f ms%n",
                Math.exp(logSum / PATHS.size()), Math.exp(cpuLogSum / PATHS.size()), addedSum / PATHS.size()));
        report.append(String.format("load average after: %s%n", loadAverage()));
        Files.writeString(Path.of("target", "querier-level-bench.txt"), report);
        System.out.println(report);
    }

    private static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }
}
