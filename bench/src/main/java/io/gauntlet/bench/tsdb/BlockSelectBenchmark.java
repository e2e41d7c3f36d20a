package io.gauntlet.bench.tsdb;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Reading a Gauntlet block of 100k series (10 metrics × 10k instances, 240 samples of 30 s each): latency of a
 * one-matcher select up to its first sample, and decoding every sample of one metric (10k series, 2.4 M samples).
 * Run: {@code java -jar bench/target/gauntlet-bench.jar BlockSelectBenchmark -f 1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
public class BlockSelectBenchmark {
    private static final long BLOCK = 7_200_000L;
    private static final int METRICS = 10;
    private static final int INSTANCES = 10_000;
    private static final int SAMPLES = 240;

    private Path parent;
    private BlockReader reader;
    private long start;
    private int next;

    @Setup(Level.Trial)
    public void writeBlock() throws Exception {
        parent = Files.createTempDirectory("gauntlet-block-select");
        start = 1_800_000_000_000L / BLOCK * BLOCK;
        BlockMeta meta;
        try (BlockWriter writer = BlockWriter.create(parent, start, start + BLOCK)) {
            long[] ts = new long[SAMPLES];
            double[] vs = new double[SAMPLES];
            for (int m = 0; m < METRICS; m++) {
                for (int i = 0; i < INSTANCES; i++) {
                    double value = i;
                    for (int s = 0; s < SAMPLES; s++) {
                        ts[s] = start + s * 30_000L + (s * 7 + i) % 5;
                        value += (s + i) % 3 == 0 ? 0 : 4096 * ((s * 31 + i) % 17);
                        vs[s] = value;
                    }
                    writer.addSeries(Labels.of(Labels.METRIC_NAME, "metric_" + m, "instance", String.format("host-%05d:9100", i)), ts, vs, SAMPLES);
                }
            }
            meta = writer.commit();
        }
        reader = BlockReader.open(parent.resolve(meta.ulid().toString()));
    }

    @TearDown(Level.Trial)
    public void deleteBlock() throws Exception {
        reader.close();
        try (Stream<Path> walk = Files.walk(parent)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public double firstSampleOfOneMatcherSelect() throws Exception {
        next = (next + 7919) % INSTANCES;
        SeriesSet set = reader.select(start, start + BLOCK, List.of(LabelMatcher.equal("instance", String.format("host-%05d:9100", next))));
        set.next();
        SampleIterator iterator = set.at().iterator(null);
        iterator.next();
        return iterator.value();
    }

    /** Every sample of one metric; the score × 2.4 M is samples per second. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double allSamplesOfOneMetric() throws Exception {
        SeriesSet set = reader.select(start, start + BLOCK, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "metric_3")));
        SampleIterator iterator = null;
        double sum = 0;
        while (set.next()) {
            iterator = set.at().iterator(iterator);
            while (iterator.next()) {
                sum += iterator.value();
            }
        }
        return sum;
    }
}
