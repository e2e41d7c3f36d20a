package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@link XorChunkBenchmark} workloads timed by the thread's CPU time instead of the wall clock: samples per
 * CPU-second of one core, a figure that stays meaningful on a machine shared with other work (where JMH's wall-clock
 * scores swing with the load). Given directories of Prometheus-written blocks (or block directories), it also decodes
 * every XOR chunk of those blocks straight from their mapped segment files and re-encodes their samples, rounds of
 * the synthetic and the real workloads interleaved, and prints each data set's bytes per sample beside its figures.
 * Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.XorChunkCpuThroughput [dir ...]}.
 */
public final class XorChunkCpuThroughput {
    private static final int ROUNDS = 5;
    private static final long ROUND_CPU_NANOS = 1_000_000_000L;
    private static final long WARMUP_SAMPLES = 40_000_000L;

    private XorChunkCpuThroughput() {
    }

    /** One timed task: decodes or encodes a fixed set of samples per call. */
    private interface Workload {
        long run() throws StorageException;
    }

    private record Named(String name, long samplesPerCall, Workload workload) {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        XorChunkBenchmark benchmark = new XorChunkBenchmark();
        benchmark.setUp();
        List<Named> workloads = new ArrayList<>();
        workloads.add(new Named("decode synthetic", benchmark.samplesPerInvocation(), benchmark::decode));
        workloads.add(new Named("encode synthetic", benchmark.samplesPerInvocation(), benchmark::encode));
        XorRealChunks real = null;
        if (args.length > 0) {
            real = XorRealChunks.open(Arrays.stream(args).map(Path::of).toList());
            System.out.println("real data: " + real.describe());
            XorRealChunks chunks = real;
            // straight from the mapped segment files, as the store gateway reads them
            XorDecodeLoop decode = new XorDecodeLoop(real.chunks());
            XorChunkAppender appender = new XorChunkAppender(1024);
            workloads.add(1, new Named("decode real", real.samples(), decode::getAsLong));
            workloads.add(new Named("encode real", real.samples(), () -> chunks.encode(appender)));
        }
        System.out.println("load average before: " + loadAverage());
        long sink = 0;
        for (Named named : workloads) {
            for (long done = 0; done < WARMUP_SAMPLES; done += named.samplesPerCall()) {
                sink += named.workload().run();
            }
        }
        double[][] perSecond = new double[workloads.size()][ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            for (int w = 0; w < workloads.size(); w++) {
                Named named = workloads.get(w);
                long cpuStart = threads.getCurrentThreadCpuTime();
                long calls = 0;
                long cpuNanos;
                while ((cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart) < ROUND_CPU_NANOS) {
                    sink += named.workload().run();
                    calls++;
                }
                perSecond[w][round] = calls * named.samplesPerCall() / (cpuNanos / 1e9);
                System.out.printf("%s round %d: %.1f M samples per CPU-second%n", named.name(), round + 1, perSecond[w][round] / 1e6);
            }
        }
        System.out.println("load average after: " + loadAverage());
        System.out.printf("synthetic: %.3f bytes/sample%s%n", benchmark.bytesPerSample(),
                real == null ? "" : String.format(", real: %.3f bytes/sample", real.bytesPerSample()));
        for (int w = 0; w < workloads.size(); w++) {
            System.out.printf("%s best: %.1f M samples per CPU-second%n", workloads.get(w).name(),
                    Arrays.stream(perSecond[w]).max().orElseThrow() / 1e6);
        }
        if (real != null) {
            real.close();
        }
        benchmark.tearDown();
        System.out.println("(checksum " + sink + ")");
    }

    static String loadAverage() {
        return String.format("%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
