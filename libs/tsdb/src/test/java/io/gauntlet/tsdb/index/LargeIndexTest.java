package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes an index of one million series in a JVM limited to 160 MiB of heap (most of it the million symbol
 * strings), then opens and queries it in a JVM limited to 64 MiB: the reader keeps only sampled tables on the heap
 * and reads the rest from the mapped file.
 */
class LargeIndexTest {
    static final int SERIES = 1_000_000;

    @TempDir
    Path work;

    @Test
    void aMillionSeriesIndexIsWrittenIn160MiBAndOpenedAndQueriedIn64MiBOfHeap() throws Exception {
        Path index = work.resolve("index");
        String written = runProbe("-Xmx160m", "write", index);
        String read = runProbe("-Xmx64m", "read", index);
        System.out.printf("[LargeIndexTest] %,d series, %,d bytes; writer with -Xmx160m: %s; reader with -Xmx64m: %s%n",
                SERIES, Files.size(index), written, read);
        assertThat(read).contains("series=1000000", "job_3=50000", "id=0500000:1", "regex=11");
    }

    private static String runProbe(String heap, String mode, Path index) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process probe = new ProcessBuilder(java.toString(), heap, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), HeapProbe.class.getName(), mode, index.toString())
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes()).strip();
        assertThat(probe.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.exitValue()).as(mode + " probe with " + heap + ": " + output).isZero();
        return output;
    }

    static void write(Path index) throws IOException {
        TreeSet<String> small = new TreeSet<>(Utf8Order::compare);
        small.addAll(List.of("__name__", "id", "job", "zone"));
        for (int i = 0; i < 20; i++) {
            small.add("job_" + i);
        }
        for (int i = 0; i < 10; i++) {
            small.add("metric_" + i);
        }
        for (int i = 0; i < 3; i++) {
            small.add("zone_" + i);
        }
        try (IndexWriter writer = IndexWriter.create(index)) {
            for (int i = 0; i < SERIES; i++) {
                writer.addSymbol(id(i)); // zero-padded digits sort before '_' and letters
            }
            writer.addSymbols(small);
            long[] minTimes = {0};
            long[] maxTimes = {7_199_999};
            long[] refs = {0};
            for (int i = 0; i < SERIES; i++) {
                refs[0] = 8 + 100L * i;
                Labels labels = Labels.ofSortedPairs(new String[] {
                        "__name__", "metric_" + i / 100_000, "id", id(i), "job", "job_" + i % 20, "zone", "zone_" + i % 3});
                writer.addSeries(labels, minTimes, maxTimes, refs, 1);
            }
        }
    }

    static String id(int i) {
        String digits = Integer.toString(i);
        return "0000000".substring(digits.length()) + digits;
    }

    /** Runs in a heap-limited JVM: writes the index, or opens it and answers a few queries; prints figures. */
    public static final class HeapProbe {
        public static void main(String[] args) throws Exception {
            if (args[0].equals("write")) {
                long started = System.nanoTime();
                write(Path.of(args[1]));
                System.out.printf("written in %d ms, peak heap %d MiB%n", (System.nanoTime() - started) / 1_000_000, peakHeap() / (1 << 20));
                return;
            }
            long before = usedHeapAfterGc();
            long started = System.nanoTime();
            try (IndexReader reader = IndexReader.open(Path.of(args[1]))) {
                long openMicros = (System.nanoTime() - started) / 1000;
                long afterOpen = usedHeapAfterGc();
                List<String> results = new ArrayList<>();
                results.add("series=" + count(reader.allPostings()));
                results.add("job_3=" + count(reader.postings("job", "job_3")));
                results.add("id=0500000:" + count(reader.postings("id", "0500000")));
                results.add("regex=" + count(MatcherPostings.postingsForMatchers(reader,
                        List.of(LabelMatcher.regex("id", "012345.|0999999"), LabelMatcher.notEqual("zone", "")))));
                results.add("values=" + reader.labelValues("id").size());
                SeriesEntry entry = new SeriesEntry();
                long decodeStarted = System.nanoTime();
                Postings zone = reader.postings("zone", "zone_1");
                int decoded = 0;
                while (zone.next()) {
                    reader.series(zone.at(), entry);
                    decoded++;
                }
                results.add("decoded=" + decoded + "@" + (System.nanoTime() - decodeStarted) / 1_000_000 + "ms");
                long afterQueries = usedHeapAfterGc();
                System.out.printf("%s open=%dus heapBefore=%dKiB retainedByReader=%dKiB heapAfterQueries=%dKiB%n",
                        String.join(" ", results), openMicros, before / 1024, (afterOpen - before) / 1024, afterQueries / 1024);
            }
        }

        private static int count(Postings postings) {
            int n = 0;
            while (postings.next()) {
                n++;
            }
            return n;
        }

        private static long peakHeap() {
            return ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getType() == java.lang.management.MemoryType.HEAP)
                    .mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
        }

        private static long usedHeapAfterGc() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
    }
}
