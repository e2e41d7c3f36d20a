package io.gauntlet.store;

import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Series;
import io.gauntlet.proto.thanos.SeriesBatch;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.chunks.XorChunkAppender;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bench command, not a test: the client's share of a Series read without the network — the answer of the sidecar
 * bench's shape (520 node_exporter-like series, 4 h at 15 s in 120-sample XOR chunks, ~1.1 MB) decoded from its
 * message bytes by the generated messages + {@link StoreWire} (as StoreClient did) and by {@link SeriesResponseDecoder}
 * (with and without the label string table), unbatched and in batches of 64, interleaved. Thread CPU and allocated
 * bytes per read. Run with the test classpath:
 * {@code java -cp <test classpath> io.gauntlet.store.SeriesDecodeBench [rounds]}.
 */
public final class SeriesDecodeBench {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final MethodDescriptor.Marshaller<SeriesResponse> GENERATED = ProtoUtils.marshaller(SeriesResponse.getDefaultInstance());

    private interface Decode {
        long run(List<byte[]> messages) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        List<Series> series = series();
        List<byte[]> unbatched = new ArrayList<>();
        List<byte[]> batched = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < series.size(); i++) {
            unbatched.add(SeriesResponse.newBuilder().setSeries(series.get(i)).build().toByteArray());
            bytes += unbatched.getLast().length;
            if (i % 64 == 0) {
                batched.add(SeriesResponse.newBuilder().setBatch(SeriesBatch.newBuilder().addAllSeries(series.subList(i, Math.min(i + 64, series.size()))))
                        .build().toByteArray());
            }
        }
        System.out.printf("%d series, %d messages unbatched (%,d bytes), %d in batches of 64%n", series.size(), unbatched.size(), bytes, batched.size());
        List<String> names = List.of("generated messages + StoreWire, unbatched", "SeriesResponseDecoder, unbatched         ",
                "decoder without string table, unbatched  ", "generated messages + StoreWire, batch 64 ", "SeriesResponseDecoder, batch 64          ",
                "decoder without string table, batch 64   ");
        List<Decode> decodes = List.of(SeriesDecodeBench::generated, messages -> decoder(messages, true), messages -> decoder(messages, false),
                SeriesDecodeBench::generated, messages -> decoder(messages, true), messages -> decoder(messages, false));
        List<List<byte[]>> inputs = List.of(unbatched, unbatched, unbatched, batched, batched, batched);
        long[] cpu = new long[names.size()];
        long[] allocated = new long[names.size()];
        long thread = Thread.currentThread().threadId();
        for (int round = -rounds / 3; round < rounds; round++) { // a third more as warm-up
            for (int i = 0; i < names.size(); i++) {
                long cpuBefore = THREADS.getCurrentThreadCpuTime();
                long allocatedBefore = THREADS.getThreadAllocatedBytes(thread);
                long checksum = decodes.get(i).run(inputs.get(i));
                if (checksum != series.size()) {
                    throw new AssertionError(names.get(i) + " read " + checksum + " series");
                }
                if (round >= 0) {
                    cpu[i] += THREADS.getCurrentThreadCpuTime() - cpuBefore;
                    allocated[i] += THREADS.getThreadAllocatedBytes(thread) - allocatedBefore;
                }
            }
        }
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        System.out.printf("decode of one read, %d rounds, mean thread CPU and allocation per read, load average %.1f%n", rounds, load);
        for (int i = 0; i < names.size(); i++) {
            System.out.printf("  %s: %6.2f ms CPU, %,8.0f KB allocated%n", names.get(i), cpu[i] / 1e6 / rounds, allocated[i] / 1024.0 / rounds);
        }
    }

    /** As StoreClient read answers before: protobuf messages, then labels and chunks converted. */
    private static long generated(List<byte[]> messages) throws Exception {
        long n = 0;
        for (byte[] message : messages) {
            SeriesResponse response = GENERATED.parse(new KnownLengthStream(message));
            List<Series> list = response.hasSeries() ? List.of(response.getSeries()) : response.getBatch().getSeriesList();
            for (Series s : list) {
                Labels labels = StoreWire.fromWire(s.getLabelsList());
                List<EncodedChunk> chunks = new ArrayList<>(s.getChunksCount());
                for (AggrChunk chunk : s.getChunksList()) {
                    chunks.add(StoreWire.fromWire(chunk));
                }
                n += labels.isEmpty() || chunks.isEmpty() ? 0 : 1;
            }
        }
        return n;
    }

    private static long decoder(List<byte[]> messages, boolean stringTable) {
        SeriesResponseDecoder decoder = new SeriesResponseDecoder("bench", stringTable ? LabelStringTable.DEFAULT_ENTRIES : 0);
        long n = 0;
        for (byte[] message : messages) {
            for (SeriesResponseDecoder.DecodedSeries s : decoder.parse(new KnownLengthStream(message)).series()) {
                n += s.labels().isEmpty() || s.chunks().isEmpty() ? 0 : 1;
            }
        }
        return n;
    }

    /** 520 node_exporter-like series: 4 h at 15 s, 120 samples a chunk. */
    private static List<Series> series() throws Exception {
        Random random = new Random(3);
        List<Series> out = new ArrayList<>();
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        for (int i = 0; i < 520; i++) {
            Labels labels = i < 400
                    ? Labels.of("__name__", "node_cpu_seconds_total", "cpu", Integer.toString(i / 8 % 10), "mode", modes[i % 8],
                            "instance", "10.0.0." + (i / 80) + ":9100", "job", "node", "cluster", "eu-1", "prometheus_replica", "prom-0")
                    : Labels.of("__name__", "http_requests_total", "handler", "/api/v1/h" + (i % 30), "code", i % 3 == 0 ? "500" : "200",
                            "instance", "10.0.1." + (i % 5) + ":8080", "job", "api", "cluster", "eu-1", "prometheus_replica", "prom-0");
            Series.Builder series = Series.newBuilder().addAllLabels(StoreWire.toWire(labels));
            double value = random.nextDouble() * 1000;
            for (long start = 0; start < 4 * 3_600_000L; start += 120 * 15_000L) {
                XorChunkAppender appender = new XorChunkAppender();
                for (int s = 0; s < 120; s++) {
                    value += random.nextInt(4) * 0.25;
                    appender.append(start + s * 15_000L + random.nextInt(20), value);
                }
                series.addChunks(StoreWire.toWire(new EncodedChunk(appender.minTime(), appender.maxTime(), 1, appender.toByteArray()), false));
            }
            out.add(series.build());
        }
        return out;
    }

    /** How gRPC hands an uncompressed message over: a stream that knows its length. */
    private static final class KnownLengthStream extends ByteArrayInputStream implements KnownLength {
        KnownLengthStream(byte[] bytes) {
            super(bytes);
        }
    }
}
