package io.gauntlet.bench.promql;

import java.lang.management.ManagementFactory;

/**
 * The queries of {@link PromqlEngineBenchmark}, timed by the CPU time of the querying thread next to wall time (on a
 * shared, loaded machine wall time mostly measures the queue for a core), with the bytes that thread allocated.
 * Run: {@code java -Xmx4g -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.promql.PromqlEngineCpuTime [rounds]}.
 */
public final class PromqlEngineCpuTime {
    private PromqlEngineCpuTime() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        for (String query : new String[] {"rate", "sum_by_job_rate", "histogram_quantile", "join"}) {
            PromqlEngineBenchmark benchmark = new PromqlEngineBenchmark();
            benchmark.query = query;
            benchmark.load(); // also runs the query once (warm-up)
            benchmark.rangeQuery();
            long bestCpu = Long.MAX_VALUE;
            long bestWall = Long.MAX_VALUE;
            long allocated = 0;
            for (int r = 0; r < rounds; r++) {
                long wall = System.nanoTime();
                long cpu = threads.getCurrentThreadCpuTime();
                long bytes = threads.getThreadAllocatedBytes(thread);
                benchmark.rangeQuery();
                bestCpu = Math.min(bestCpu, threads.getCurrentThreadCpuTime() - cpu);
                bestWall = Math.min(bestWall, System.nanoTime() - wall);
                allocated = threads.getThreadAllocatedBytes(thread) - bytes;
            }
            System.out.printf("%-20s best of %d: CPU %,d ms, wall %,d ms, allocated %,d MB per query%n", query, rounds,
                    bestCpu / 1_000_000, bestWall / 1_000_000, allocated / 1_000_000);
            benchmark = null;
            System.gc();
        }
    }
}
