package io.gauntlet.bench;

import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.chunks.XorSampleIterator;
import io.gauntlet.tsdb.storage.StorageException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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

/**
 * XOR chunk throughput in samples per second on node_exporter-like series (120-sample chunks, as Prometheus cuts
 * them at a 15 s scrape interval). Decoding reads from an off-heap segment, the way mmapped chunk files are read.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class XorChunkBenchmark {
    private static final int SERIES = 1000;
    private static final int SAMPLES_PER_CHUNK = 120;
    private static final int SAMPLES = SERIES * SAMPLES_PER_CHUNK;

    private NodeExporterData.Series[] series;
    private Arena arena;
    private MemorySegment chunks;
    private final long[] offsets = new long[SERIES];
    private final long[] lengths = new long[SERIES];
    private final XorSampleIterator iterator = new XorSampleIterator();
    private final XorChunkAppender appender = new XorChunkAppender(1024);
    private double bytesPerSample;

    @Setup(Level.Trial)
    public void setUp() {
        series = NodeExporterData.generate(SERIES, SAMPLES_PER_CHUNK, 1_700_000_000_000L, 42);
        byte[][] encoded = new byte[SERIES][];
        long total = 0;
        for (int s = 0; s < SERIES; s++) {
            XorChunkAppender chunk = new XorChunkAppender();
            for (int i = 0; i < SAMPLES_PER_CHUNK; i++) {
                chunk.append(series[s].timestamps()[i], series[s].values()[i]);
            }
            encoded[s] = chunk.toByteArray();
            total += encoded[s].length;
        }
        arena = Arena.ofShared();
        chunks = arena.allocate(total);
        long offset = 0;
        for (int s = 0; s < SERIES; s++) {
            MemorySegment.copy(MemorySegment.ofArray(encoded[s]), 0, chunks, offset, encoded[s].length);
            offsets[s] = offset;
            lengths[s] = encoded[s].length;
            offset += encoded[s].length;
        }
        bytesPerSample = (double) total / SAMPLES;
        System.out.printf("%n%d chunks, %d samples, %.3f bytes/sample%n", SERIES, SAMPLES, bytesPerSample);
    }

    /** Samples decoded or encoded by one call of a benchmark method. */
    int samplesPerInvocation() {
        return SAMPLES;
    }

    double bytesPerSample() {
        return bytesPerSample;
    }

    /** The encoded chunks, as laid out off-heap, for decoders compared against {@link #decode()}. */
    MemorySegment chunks() {
        return chunks;
    }

    long[] offsets() {
        return offsets;
    }

    long[] lengths() {
        return lengths;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public long decode() throws StorageException {
        long sum = 0;
        for (int s = 0; s < SERIES; s++) {
            iterator.reset(chunks, offsets[s], lengths[s]);
            while (iterator.next()) {
                sum += iterator.timestamp() ^ iterator.valueBits();
            }
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public long encode() {
        long bytes = 0;
        for (int s = 0; s < SERIES; s++) {
            long[] timestamps = series[s].timestamps();
            double[] values = series[s].values();
            appender.reset();
            for (int i = 0; i < SAMPLES_PER_CHUNK; i++) {
                appender.append(timestamps[i], values[i]);
            }
            bytes += appender.encodedLength();
        }
        return bytes;
    }
}
