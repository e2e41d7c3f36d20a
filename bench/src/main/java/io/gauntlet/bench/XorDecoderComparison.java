package io.gauntlet.bench;

import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Compares XOR decoder builds side by side in one JVM: each {@code name=classpath} argument names a build of
 * libs/tsdb (a jar or a classes directory; a directory holding only a changed {@code XorSampleIterator.class} may come
 * first, e.g. {@code cand=/tmp/cand:/tmp/tsdb-before.jar}), and each build decodes the synthetic node_exporter-like
 * mix and, given directories after {@code --}, every XOR chunk of those Prometheus blocks. Rounds alternate between
 * the builds (rotating which goes first) so that load changes hit them alike; it prints CPU-time throughput per
 * build and data set, and each build's per-round ratio to the first build. Decoders must agree on every sample.
 * Run: {@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.XorDecoderComparison
 * before=tsdb-before.jar after=libs/tsdb/target/classes -- /work/notes/nodeexp/data/snapshots/*}.
 */
public final class XorDecoderComparison {
    private static final int ROUNDS = 10;
    private static final long ROUND_CPU_NANOS = 300_000_000L;
    private static final long WARMUP_SAMPLES = 40_000_000L;

    private XorDecoderComparison() {
    }

    private record DataSet(String name, MemorySegment[] chunks, long samples) {
    }

    public static void main(String[] args) throws Exception {
        List<String> names = new ArrayList<>();
        List<URL[]> classpaths = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        boolean data = false;
        for (String arg : args) {
            if (arg.equals("--")) {
                data = true;
            } else if (data) {
                dirs.add(Path.of(arg));
            } else {
                int eq = arg.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected name=classpath, got " + arg);
                }
                names.add(arg.substring(0, eq));
                List<URL> urls = new ArrayList<>();
                for (String entry : arg.substring(eq + 1).split(":")) {
                    urls.add(Path.of(entry).toUri().toURL());
                }
                // the loop class itself (and nothing of libs/tsdb that the entries above hold) comes from the bench jar
                urls.add(XorDecodeLoop.class.getProtectionDomain().getCodeSource().getLocation());
                classpaths.add(urls.toArray(URL[]::new));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(
                    "usage: XorDecoderComparison name=classpath [name=classpath ...] [-- block-dir ...]");
        }
        XorChunkBenchmark benchmark = new XorChunkBenchmark();
        benchmark.setUp();
        List<DataSet> sets = new ArrayList<>();
        MemorySegment[] synthetic = new MemorySegment[benchmark.offsets().length];
        for (int c = 0; c < synthetic.length; c++) {
            synthetic[c] = benchmark.chunks().asSlice(benchmark.offsets()[c], benchmark.lengths()[c]);
        }
        sets.add(new DataSet(String.format("synthetic %.3f B/sample", benchmark.bytesPerSample()), synthetic,
                benchmark.samplesPerInvocation()));
        XorRealChunks real = null;
        if (!dirs.isEmpty()) {
            real = XorRealChunks.open(dirs);
            System.out.println("real data: " + real.describe());
            sets.add(new DataSet(String.format("real %.3f B/sample", real.bytesPerSample()), real.chunks(), real.samples()));
        }

        // one class loader per copy of a build and data set: separate compiled code and profiles, as in separate runs.
        // Identical builds compiled twice differ by up to ~8 % (code placement, inlining), so each build runs as
        // several copies and is judged by their mean.
        int builds = names.size();
        int copies = Integer.getInteger("copies", 3);
        LongSupplier[][][] loops = new LongSupplier[builds][copies][sets.size()];
        for (int b = 0; b < builds; b++) {
            for (int c = 0; c < copies; c++) {
                for (int s = 0; s < sets.size(); s++) {
                    ClassLoader loader = new URLClassLoader(names.get(b) + "/" + c + "/" + s, classpaths.get(b),
                            ClassLoader.getPlatformClassLoader());
                    Class<?> loop = Class.forName(XorDecodeLoop.class.getName(), true, loader);
                    loops[b][c][s] = (LongSupplier) loop.getConstructor(MemorySegment[].class).newInstance((Object) sets.get(s).chunks());
                    long fingerprint = (long) loop.getMethod("fingerprint").invoke(loops[b][c][s]);
                    long expected = (long) loops[0][0][s].getClass().getMethod("fingerprint").invoke(loops[0][0][s]);
                    if (fingerprint != expected) {
                        throw new IllegalStateException(names.get(b) + " decodes " + sets.get(s).name() + " differently from "
                                + names.get(0));
                    }
                }
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int b = 0; b < builds; b++) {
            for (int c = 0; c < copies; c++) {
                for (int s = 0; s < sets.size(); s++) {
                    for (long done = 0; done < WARMUP_SAMPLES; done += sets.get(s).samples()) {
                        sink += loops[b][c][s].getAsLong();
                    }
                }
            }
        }
        System.out.println("load average before: " + XorChunkCpuThroughput.loadAverage());
        // rates[b][s][round * copies + c]
        double[][][] rates = new double[builds][sets.size()][ROUNDS * copies];
        for (int round = 0; round < ROUNDS; round++) {
            for (int s = 0; s < sets.size(); s++) {
                for (int i = 0; i < builds * copies; i++) {
                    int slot = (i + round) % (builds * copies);
                    int b = slot % builds;
                    int c = slot / builds;
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    long calls = 0;
                    long cpuNanos;
                    while ((cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart) < ROUND_CPU_NANOS) {
                        sink += loops[b][c][s].getAsLong();
                        calls++;
                    }
                    rates[b][s][round * copies + c] = calls * sets.get(s).samples() / (cpuNanos / 1e9);
                }
            }
        }
        System.out.println("load average after: " + XorChunkCpuThroughput.loadAverage());
        for (int s = 0; s < sets.size(); s++) {
            System.out.println(sets.get(s).name() + ", M samples per CPU-second, " + ROUNDS + " rounds × " + copies
                    + " compiled copies × " + ROUND_CPU_NANOS / 1_000_000 + " ms:");
            for (int b = 0; b < builds; b++) {
                double[] ratios = new double[ROUNDS];
                for (int r = 0; r < ROUNDS; r++) {
                    ratios[r] = mean(rates[b][s], r * copies, copies) / mean(rates[0][s], r * copies, copies);
                }
                double[] copyMedians = new double[copies];
                for (int c = 0; c < copies; c++) {
                    double[] ofCopy = new double[ROUNDS];
                    for (int r = 0; r < ROUNDS; r++) {
                        ofCopy[r] = rates[b][s][r * copies + c];
                    }
                    copyMedians[c] = median(ofCopy) / 1e6;
                }
                System.out.printf("  %-12s best %6.1f  median %6.1f  (copies %s)  ratio to %s: median %.3f (range %.3f–%.3f)%n",
                        names.get(b), max(rates[b][s]) / 1e6, median(rates[b][s]) / 1e6,
                        Arrays.toString(Arrays.stream(copyMedians).map(m -> Math.round(m * 10) / 10.0).toArray()),
                        names.get(0), median(ratios), min(ratios), max(ratios));
            }
        }
        if (real != null) {
            real.close();
        }
        benchmark.tearDown();
        System.out.println("(checksum " + sink + ")");
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static double mean(double[] values, int from, int count) {
        double sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += values[i];
        }
        return sum / count;
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }
}
