package io.gauntlet.bench;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.index.IndexReader;
import io.gauntlet.tsdb.index.IndexWriter;
import io.gauntlet.tsdb.index.MatcherPostings;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.index.SeriesEntry;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
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
 * Index reads on a 200k-series index written by {@link IndexWriter} (node_exporter-like: 20 metric names ×
 * 10,000 instances, 4 jobs, 3 zones): decoding series entries (labels and chunk metas) from the mapped file, and
 * selecting series with Prometheus matcher sets.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IndexReaderBenchmark {
    private static final int METRICS = 20;
    private static final int INSTANCES = 10_000;
    private static final int DECODED = 10_000;

    private Path directory;
    private IndexReader index;
    private long[] refs;
    private final SeriesEntry entry = new SeriesEntry();

    @Setup(Level.Trial)
    public void setUp() throws IOException, StorageException {
        directory = Files.createTempDirectory("gauntlet-index-bench");
        Path file = directory.resolve("index");
        TreeSet<String> symbols = new TreeSet<>(Utf8Order::compare);
        symbols.addAll(List.of(Labels.METRIC_NAME, "instance", "job", "zone"));
        for (int m = 0; m < METRICS; m++) {
            symbols.add(metric(m));
        }
        for (int i = 0; i < INSTANCES; i++) {
            symbols.add(instance(i));
        }
        for (int j = 0; j < 4; j++) {
            symbols.add("job-" + j);
        }
        for (int z = 0; z < 3; z++) {
            symbols.add("zone-" + z);
        }
        try (IndexWriter writer = IndexWriter.create(file)) {
            writer.addSymbols(symbols);
            long[] minTimes = {0, 3_600_000};
            long[] maxTimes = {3_599_999, 7_199_999};
            long[] chunkRefs = new long[2];
            long ref = 8;
            for (int m = 0; m < METRICS; m++) {
                for (int i = 0; i < INSTANCES; i++) {
                    chunkRefs[0] = ref;
                    chunkRefs[1] = ref + 150;
                    ref += 300;
                    writer.addSeries(Labels.ofSortedPairs(new String[] {Labels.METRIC_NAME, metric(m), "instance", instance(i),
                            "job", "job-" + i % 4, "zone", "zone-" + i % 3}), minTimes, maxTimes, chunkRefs, 2);
                }
            }
        }
        index = IndexReader.open(file);
        long[] all = Postings.toArray(index.allPostings());
        refs = new long[DECODED];
        for (int i = 0; i < DECODED; i++) {
            refs[i] = all[(int) ((long) i * all.length / DECODED)];
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        index.close();
        Files.deleteIfExists(directory.resolve("index"));
        Files.deleteIfExists(directory);
    }

    private static String metric(int m) {
        return "node_metric_" + (char) ('a' + m) + "_total";
    }

    private static String instance(int i) {
        return String.format("host-%05d:9100", i);
    }

    /** Series entries decoded per second: CRC check, 4 labels resolved to strings, 2 chunk metas. */
    @Benchmark
    @OperationsPerInvocation(DECODED)
    public int decodeSeries() throws StorageException {
        int chunks = 0;
        for (long ref : refs) {
            index.series(ref, entry);
            chunks += entry.chunkCount();
        }
        return chunks;
    }

    /** {@code {__name__="node_metric_c_total", job="job-1"}}: two postings lists intersected (2,500 series). */
    @Benchmark
    public long selectEqualPair() throws StorageException {
        return drain(MatcherPostings.postingsForMatchers(index,
                List.of(LabelMatcher.equal(Labels.METRIC_NAME, "node_metric_c_total"), LabelMatcher.equal("job", "job-1"))));
    }

    /** {@code {__name__="node_metric_c_total", instance=~"host-000[0-4].*", zone!="zone-2"}}: regex over 10k values. */
    @Benchmark
    public long selectRegexAndNegative() throws StorageException {
        return drain(MatcherPostings.postingsForMatchers(index, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "node_metric_c_total"),
                LabelMatcher.regex("instance", "host-000[0-4].*"), LabelMatcher.notEqual("zone", "zone-2"))));
    }

    private static long drain(Postings postings) {
        long sum = 0;
        while (postings.next()) {
            sum += postings.at();
        }
        return sum;
    }
}
