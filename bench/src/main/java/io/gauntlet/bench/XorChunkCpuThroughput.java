package io.gauntlet.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The {@link XorChunkBenchmark} workloads timed by the thread's CPU time instead of the wall clock: samples per
 * CPU-second of one core, a figure that stays meaningful on a machine shared with other work (where JMH's wall-clock
 * scores swing with the load). Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.XorChunkCpuThroughput}.
 */
public final class XorChunkCpuThroughput {
    private XorChunkCpuThroughput() {
    }

    public static void main(String[] args) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        XorChunkBenchmark benchmark = new XorChunkBenchmark();
        benchmark.setUp();
        int samplesPerCall = benchmark.samplesPerInvocation();
        long sink = 0;
        for (String workload : new String[] {"decode", "encode"}) {
            boolean decode = workload.equals("decode");
            for (int warmup = 0; warmup < 300; warmup++) {
                sink += decode ? benchmark.decode() : benchmark.encode();
            }
            double best = 0;
            for (int round = 0; round < 5; round++) {
                long cpuStart = threads.getCurrentThreadCpuTime();
                int calls = 0;
                while (threads.getCurrentThreadCpuTime() - cpuStart < 1_000_000_000L) {
                    for (int i = 0; i < 20; i++) {
                        sink += decode ? benchmark.decode() : benchmark.encode();
                    }
                    calls += 20;
                }
                long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
                double perSecond = (double) calls * samplesPerCall / (cpuNanos / 1e9);
                best = Math.max(best, perSecond);
                System.out.printf("%s round %d: %.1f M samples per CPU-second%n", workload, round + 1, perSecond / 1e6);
            }
            System.out.printf("%s best: %.1f M samples per CPU-second%n", workload, best / 1e6);
        }
        benchmark.tearDown();
        System.out.println("(checksum " + sink + ")");
    }
}
