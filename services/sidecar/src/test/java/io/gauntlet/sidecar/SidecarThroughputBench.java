package io.gauntlet.sidecar;

import static org.awaitility.Awaitility.await;

import io.gauntlet.prometheus.PrometheusClient;
import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * Bench command (not a test: surefire only runs it by name): the same full read, all generated series over the whole
 * data range, once as remote read straight from Prometheus (the sidecar's own reader: frames read, CRC-checked and
 * parsed into chunks, so the difference is the sidecar hop alone) and as StoreAPI Series through a sidecar over
 * loopback gRPC, interleaved, with warm-up. Prints series/s, samples/s, ms and CPU per read side by side and writes
 * them to {@code target/sidecar-bench.txt}.
 *
 * <p>The sidecar runs in its own JVM as in production (the fast-jar {@code target/quarkus-app/quarkus-run.jar}, built
 * by {@code mvn package}; {@code -Dgauntlet.bench.sidecar=in-jvm} uses the test's own app instead, sharing the
 * client's JVM). CPU per read is the mean over the measured rounds, per process.
 *
 * <pre>mvn -f services/sidecar/pom.xml package -DskipTests
 * mvn -f services/sidecar/pom.xml test -Dtest=SidecarThroughputBench -Dgauntlet.bench.rounds=300</pre>
 *
 * <p>{@code -Dgauntlet.bench.compare-jar=<path>/quarkus-run.jar} starts a second sidecar from another build and reads
 * through it in the same rounds (before/after under the same machine load).
 * {@code -Dgauntlet.bench.warmup-rounds} (default 30), {@code -Dgauntlet.bench.sidecar-jar=<path>/quarkus-run.jar} (another
 * build, for before/after), {@code -Dgauntlet.bench.sidecar-jvm-args="..."} (e.g. a JFR recording). The sidecar's CPU is
 * also split by thread: the Series pump (gRPC executor: remote read, encoding, framing), the Netty event loop, JIT, GC.
 */
@QuarkusTest
@WithTestResource(PrometheusWithBlocks.class)
class SidecarThroughputBench {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Inject
    GrpcServerLifecycle grpc;

    private record Run(long series, long samples, long nanos, long clientCpu, long sidecarCpu, long prometheusCpu, long[] sidecarThreads) {
        Run(long series, long samples, long nanos) {
            this(series, samples, nanos, 0, 0, 0, new long[THREAD_GROUPS.size()]);
        }
    }

    /** The sidecar's threads by name: the Series pump (grpc executor), the Netty event loop, JIT, GC, and everything else. */
    private static final List<String> THREAD_GROUPS = List.of("grpc-default-ex", "grpc-default-wo", "C", "G", "");

    /** One way of reading, measured round by round; {@code sidecar} is the process whose CPU it costs (null: none). */
    private record Read(String name, ProcessHandle sidecar, Callable<Run> run) {
    }

    @Test
    void sidecarVersusDirectRemoteRead() throws Exception {
        int rounds = Integer.getInteger("gauntlet.bench.rounds", 8);
        boolean ownProcess = !"in-jvm".equals(System.getProperty("gauntlet.bench.sidecar", "process"));
        String compareJar = System.getProperty("gauntlet.bench.compare-jar", "");
        long min = PrometheusWithBlocks.DATA_START;
        long max = PrometheusWithBlocks.DATA_END;
        ProcessHandle prometheusProcess = PrometheusWithBlocks.prometheus.handle();
        List<Process> sidecarProcesses = new ArrayList<>();
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            PrometheusClient direct = new PrometheusClient(PrometheusWithBlocks.prometheus.url(), Duration.ofSeconds(60));
            List<Read> reads = new ArrayList<>(List.of(new Read("remote read direct", null, () -> direct(direct, min, max))));
            int grpcPort = grpc.port();
            ProcessHandle sidecar = ProcessHandle.current();
            if (ownProcess) {
                grpcPort = freePort();
                Process process = startSidecar(grpcPort, Path.of(System.getProperty("gauntlet.bench.sidecar-jar", "target/quarkus-app/quarkus-run.jar")));
                sidecarProcesses.add(process);
                sidecar = process.toHandle();
            }
            addSidecarReads(reads, "", sidecar, grpcPort, channels, min, max);
            if (!compareJar.isEmpty()) {
                // a second build read in the same rounds, so that both see the same machine load
                int comparePort = freePort();
                Process process = startSidecar(comparePort, Path.of(compareJar));
                sidecarProcesses.add(process);
                addSidecarReads(reads, " (compare-jar)", process.toHandle(), comparePort, channels, min, max);
            }
            List<List<Run>> runs = new ArrayList<>();
            reads.forEach(read -> runs.add(new ArrayList<>()));
            int warmUp = Integer.getInteger("gauntlet.bench.warmup-rounds", 30); // the JIT still compiles Netty after a few rounds
            for (int round = -warmUp; round < rounds; round++) {
                Run[] results = new Run[reads.size()];
                for (int i = 0; i < reads.size(); i++) {
                    Read read = reads.get(i);
                    boolean measured = ownProcess && read.sidecar() != null;
                    long[] threadsBefore = measured ? threadCpuNanos(read.sidecar()) : new long[THREAD_GROUPS.size()];
                    long clientCpu = OS.getProcessCpuTime();
                    long sidecarCpu = measured ? cpuNanos(read.sidecar()) : 0;
                    long prometheusCpu = cpuNanos(prometheusProcess);
                    Run r = read.run().call();
                    long clientCpuAfter = OS.getProcessCpuTime();
                    long sidecarCpuAfter = measured ? cpuNanos(read.sidecar()) : 0;
                    long prometheusCpuAfter = cpuNanos(prometheusProcess);
                    long[] threads = measured ? threadCpuNanos(read.sidecar()) : new long[THREAD_GROUPS.size()];
                    for (int g = 0; g < threads.length; g++) {
                        threads[g] -= threadsBefore[g];
                    }
                    results[i] = new Run(r.series(), r.samples(), r.nanos(), clientCpuAfter - clientCpu, sidecarCpuAfter - sidecarCpu,
                            prometheusCpuAfter - prometheusCpu, threads);
                }
                for (Run result : results) {
                    if (result.series() != results[0].series() || result.samples() != results[0].samples()) {
                        throw new AssertionError("direct read " + results[0] + " and sidecar reads " + List.of(results) + " differ");
                    }
                }
                if (round >= 0) {
                    for (int i = 0; i < reads.size(); i++) {
                        runs.get(i).add(results[i]);
                    }
                }
            }
            Run reference = runs.getFirst().getFirst();
            StringBuilder report = new StringBuilder(String.format(Locale.ROOT,
                    "sidecar bench: %d series, %d samples per read, %d rounds (median time, mean CPU), sidecar %s, load average %.1f%n",
                    reference.series(), reference.samples(), rounds, ownProcess ? "in its own JVM (" + System.getProperty("gauntlet.bench.sidecar-jar",
                            "target/quarkus-app/quarkus-run.jar") + (compareJar.isEmpty() ? "" : ", compare-jar " + compareJar) + ", " + warmUp
                            + " warm-up rounds)" : "in the client's JVM", OS.getSystemLoadAverage()));
            for (int i = 0; i < reads.size(); i++) {
                List<Run> list = runs.get(i);
                report.append(String.format(Locale.ROOT,
                        "  %-48s: %,8.0f series/s %,12.0f samples/s %6.1f ms (%+6.1f %%), CPU per read: client %5.1f ms, sidecar %5.1f ms, prometheus %5.1f ms%n",
                        reads.get(i).name(), reference.series() / (median(list) / 1e9), reference.samples() / (median(list) / 1e9), median(list) / 1e6,
                        i == 0 ? 0.0 : 100.0 * (median(list) - median(runs.getFirst())) / median(runs.getFirst()),
                        mean(list, Run::clientCpu) / 1e6, mean(list, Run::sidecarCpu) / 1e6, mean(list, Run::prometheusCpu) / 1e6));
                if (ownProcess && reads.get(i).sidecar() != null) {
                    report.append(String.format(Locale.ROOT,
                            "      sidecar threads (10 ms ticks, mean): series pump %.1f ms, Netty event loop %.1f ms, JIT %.1f ms, GC %.1f ms, other %.1f ms%n",
                            meanThread(list, 0) / 1e6, meanThread(list, 1) / 1e6, meanThread(list, 2) / 1e6, meanThread(list, 3) / 1e6,
                            meanThread(list, 4) / 1e6));
                }
            }
            System.out.print(report);
            Files.writeString(Path.of("target", "sidecar-bench.txt"), report);
        } finally {
            channels.forEach(ManagedChannel::shutdownNow);
            for (Process process : sidecarProcesses) {
                process.destroy();
                process.waitFor();
            }
        }
    }

    /** Series through a sidecar on {@code port}, one message per series and in batches of 64. */
    private static void addSidecarReads(List<Read> reads, String suffix, ProcessHandle sidecar, int port, List<ManagedChannel> channels,
            long min, long max) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().maxInboundMessageSize(64 << 20).build();
        channels.add(channel);
        StoreClient client = new StoreClient("sidecar", channel, Duration.ofSeconds(60), 64, false);
        reads.add(new Read("through the sidecar" + suffix, sidecar, () -> sidecar(client, min, max, 0)));
        reads.add(new Read("through the sidecar, batches of 64" + suffix, sidecar, () -> sidecar(client, min, max, 64)));
    }

    /** The packaged sidecar (fast-jar) against the test's Prometheus, on loopback ports; returns once it is ready. */
    private static Process startSidecar(int grpcPort, Path jar) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar.toAbsolutePath() + ": run 'mvn -f services/sidecar/pom.xml package -DskipTests' first,"
                    + " or pass -Dgauntlet.bench.sidecar=in-jvm");
        }
        int httpPort = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        String jvmArgs = System.getProperty("gauntlet.bench.sidecar-jvm-args", "").strip(); // e.g. a JFR recording
        if (!jvmArgs.isEmpty()) {
            command.addAll(List.of(jvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-Dgauntlet.sidecar.prometheus-url=" + PrometheusWithBlocks.prometheus.url(),
                "-Dgauntlet.grpc.address=127.0.0.1:" + grpcPort, "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + httpPort,
                "-jar", jar.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "sidecar-bench-process.log").toFile())).start();
        HttpClient http = HttpClient.newHttpClient();
        URI ready = URI.create("http://127.0.0.1:" + httpPort + "/-/ready");
        try {
            // a loaded machine starts a JVM slowly: minutes, not seconds
            await("packaged sidecar ready").atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the packaged sidecar exited with " + process.exitValue() + ", see target/sidecar-bench-process.log");
                }
                try {
                    return http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            process.destroyForcibly(); // not yet in the caller's list of processes to stop
            throw e;
        }
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static Run direct(PrometheusClient prometheus, long min, long max) throws Exception {
        long start = System.nanoTime();
        long series = 0;
        long samples = 0;
        ChunkSeriesSet set = prometheus.remoteRead(min, max, List.of(io.gauntlet.tsdb.LabelMatcher.regex("__name__", "node_.*|http_.*")),
                PrometheusWithBlocks.EXTERNAL_LABELS.keySet(), PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS);
        while (set.next()) {
            series++;
            for (ChunkSeriesSet.EncodedChunk chunk : set.chunks()) {
                samples += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
            }
        }
        return new Run(series, samples, System.nanoTime() - start);
    }

    /** As a querier reads a store: {@link StoreClient} (prefetching), chunks decoded from the wire into TSDB chunks. */
    private static Run sidecar(StoreClient client, long min, long max, int batchSize) throws Exception {
        long start = System.nanoTime();
        long series = 0;
        long samples = 0;
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max).setResponseBatchSize(batchSize)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.RE).setValue("node_.*|http_.*")).build();
        try (StoreSeriesSet answer = client.series(request)) {
            while (answer.next()) {
                series++;
                for (ChunkSeriesSet.EncodedChunk chunk : answer.chunks()) {
                    samples += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
                }
            }
        }
        return new Run(series, samples, System.nanoTime() - start);
    }

    /** CPU time of a process' threads per {@link #THREAD_GROUPS} group, from {@code /proc/<pid>/task/<tid>/stat} (utime + stime). */
    private static long[] threadCpuNanos(ProcessHandle process) throws IOException {
        long[] out = new long[THREAD_GROUPS.size()];
        try (var tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                for (int g = 0; g < THREAD_GROUPS.size(); g++) {
                    if (name.startsWith(THREAD_GROUPS.get(g))) {
                        out[g] += ticks * 10_000_000L; // USER_HZ = 100
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static double meanThread(List<Run> runs, int group) {
        return runs.stream().mapToLong(run -> run.sidecarThreads()[group]).average().orElse(0);
    }

    private static double mean(List<Run> runs, java.util.function.ToLongFunction<Run> value) {
        return runs.stream().mapToLong(value).average().orElse(0);
    }

    private static double median(List<Run> runs) {
        long[] nanos = runs.stream().mapToLong(Run::nanos).sorted().toArray();
        return nanos.length % 2 == 1 ? nanos[nanos.length / 2] : (nanos[nanos.length / 2 - 1] + nanos[nanos.length / 2]) / 2.0;
    }
}
