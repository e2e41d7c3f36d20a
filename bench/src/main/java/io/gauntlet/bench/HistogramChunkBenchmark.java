package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.ChunkOrigin;
import io.gauntlet.tsdb.chunks.HistogramChunkAppender;
import io.gauntlet.tsdb.chunks.HistogramSampleIterator;
import io.gauntlet.tsdb.histogram.FloatHistogram;
import io.gauntlet.tsdb.histogram.Histogram;
import io.gauntlet.tsdb.histogram.Span;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Native histogram chunk decoding (encoding 2) in histogram samples per second: 1000 chunks of 120 samples of a
 * 20-bucket histogram (two spans), scraped every 15 s, each bucket growing by a random 0–9 per scrape. Every sample is
 * fully decoded (timestamp, count, zero count, sum, 20 bucket deltas of deltas, absolute float bucket counts) and
 * read as a {@link FloatHistogram}, as a query does; chunks are read from an off-heap segment as mmapped files are.
 * {@link #encode} writes the same samples again as the head does: Prometheus' appendability check (counter reset,
 * layout change) and then the append, one new appender per 120-sample chunk.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HistogramChunkBenchmark {
    private static final int CHUNKS = 1000;
    private static final int SAMPLES_PER_CHUNK = 120;
    private static final int SAMPLES = CHUNKS * SAMPLES_PER_CHUNK;
    private static final int BUCKETS = 20;

    private Arena arena;
    private MemorySegment chunks;
    private final long[] offsets = new long[CHUNKS];
    private final long[] lengths = new long[CHUNKS];
    private final HistogramSampleIterator iterator = new HistogramSampleIterator();
    private final long[][] timestamps = new long[CHUNKS][SAMPLES_PER_CHUNK];
    private final Histogram[][] histograms = new Histogram[CHUNKS][SAMPLES_PER_CHUNK];

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        Span[] spans = {new Span(-5, 12), new Span(3, 8)};
        byte[][] encoded = new byte[CHUNKS][];
        long total = 0;
        for (int c = 0; c < CHUNKS; c++) {
            HistogramChunkAppender appender = new HistogramChunkAppender();
            long[] counts = new long[BUCKETS];
            long zero = 0;
            double sum = 0;
            for (int i = 0; i < SAMPLES_PER_CHUNK; i++) {
                long total20 = 0;
                long[] deltas = new long[BUCKETS];
                long previous = 0;
                for (int b = 0; b < BUCKETS; b++) {
                    counts[b] += random.nextInt(10);
                    deltas[b] = counts[b] - previous;
                    previous = counts[b];
                    total20 += counts[b];
                }
                zero += random.nextInt(2);
                sum += random.nextDouble() * 100;
                timestamps[c][i] = 1_700_000_000_000L + 15_000L * i + random.nextInt(3);
                histograms[c][i] = new Histogram(null, 3, Math.scalb(1.0, -128), zero, total20 + zero, sum, spans, deltas,
                        null, null);
                appender.append(timestamps[c][i], histograms[c][i]);
            }
            encoded[c] = appender.toByteArray();
            total += encoded[c].length;
        }
        arena = Arena.ofShared();
        chunks = arena.allocate(total);
        long offset = 0;
        for (int c = 0; c < CHUNKS; c++) {
            MemorySegment.copy(MemorySegment.ofArray(encoded[c]), 0, chunks, offset, encoded[c].length);
            offsets[c] = offset;
            lengths[c] = encoded[c].length;
            offset += encoded[c].length;
        }
        System.out.printf("%n%d chunks, %d histogram samples of %d buckets, %.2f bytes/sample%n", CHUNKS, SAMPLES, BUCKETS,
                (double) total / SAMPLES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void decode(Blackhole blackhole) throws StorageException {
        blackhole.consume(decodeAll());
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public void encode(Blackhole blackhole) {
        blackhole.consume(encodeAll());
    }

    /** Encodes every chunk again; returns the bytes written so that nothing is optimised away. */
    long encodeAll() {
        long bytes = 0;
        for (int c = 0; c < CHUNKS; c++) {
            HistogramChunkAppender appender = new HistogramChunkAppender();
            for (int i = 0; i < SAMPLES_PER_CHUNK; i++) {
                Histogram h = histograms[c][i];
                if (i > 0 && !appender.appendable(h).okToAppend()) {
                    throw new IllegalStateException("sample " + i + " of chunk " + c + " would cut a new chunk");
                }
                appender.append(timestamps[c][i], h);
            }
            bytes += appender.toByteArray().length;
        }
        return bytes;
    }

    /** Decodes every chunk; returns a checksum so that nothing is optimised away. */
    long decodeAll() throws StorageException {
        long sink = 0;
        for (int c = 0; c < CHUNKS; c++) {
            iterator.reset(chunks, offsets[c], lengths[c], ChunkOrigin.unknown());
            while (iterator.next()) {
                FloatHistogram h = iterator.floatHistogram();
                sink += iterator.timestamp() + (long) h.count() + (long) h.positiveBuckets()[BUCKETS - 1];
            }
        }
        return sink;
    }

    /**
     * The same decode and encode timed by this thread's CPU time (histogram samples per CPU-second of one core), a
     * figure that stays meaningful on a loaded machine, rounds of the two alternating: {@code java -cp
     * bench/target/gauntlet-bench.jar io.gauntlet.bench.HistogramChunkBenchmark}.
     */
    public static void main(String[] args) throws Exception {
        HistogramChunkBenchmark benchmark = new HistogramChunkBenchmark();
        benchmark.setUp();
        long sink = 0;
        for (int i = 0; i < 100; i++) {
            sink += benchmark.decodeAll();
        }
        for (int i = 0; i < 20; i++) {
            sink += benchmark.encodeAll();
        }
        System.out.println("load average before: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        double bestDecode = 0;
        double bestEncode = 0;
        for (int round = 1; round <= 5; round++) {
            double decode = perCpuSecond(benchmark::decodeAll);
            double encode = perCpuSecond(benchmark::encodeAll);
            bestDecode = Math.max(bestDecode, decode);
            bestEncode = Math.max(bestEncode, encode);
            System.out.printf("round %d: decode %.1f M, encode %.2f M histogram samples per CPU-second%n", round,
                    decode / 1e6, encode / 1e6);
        }
        System.out.println("load average after: " + java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim());
        System.out.printf("best: decode %.1f M, encode %.2f M histogram samples per CPU-second (checksum %d)%n",
                bestDecode / 1e6, bestEncode / 1e6, sink + checksum);
        benchmark.tearDown();
    }

    private static long checksum;

    /** Runs {@code pass} (all chunks once) for at least one CPU-second; samples per CPU-second. */
    private static double perCpuSecond(Pass pass) throws StorageException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long calls = 0;
        long used;
        while ((used = threads.getCurrentThreadCpuTime() - start) < 1_000_000_000L) {
            checksum += pass.run();
            calls++;
        }
        return calls * (double) SAMPLES / (used / 1e9);
    }

    private interface Pass {
        long run() throws StorageException;
    }
}
