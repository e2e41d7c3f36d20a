package io.gauntlet.sidecar;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreSeriesSet;
import io.gauntlet.service.GrpcServerLifecycle;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Bench command (not a test: surefire only runs it by name): the same full read, all generated series over the whole
 * data range, once as remote read straight from Prometheus (frames read, CRC-checked and parsed into chunks) and once
 * as StoreAPI Series through the running sidecar over loopback gRPC, alternating, with warm-up. Prints series/s and
 * samples/s side by side and writes them to {@code target/sidecar-bench.txt}.
 *
 * <pre>mvn -f services/sidecar/pom.xml test -Dtest=SidecarThroughputBench -Dgauntlet.bench.rounds=8</pre>
 */
@QuarkusTest
@WithTestResource(PrometheusWithBlocks.class)
class SidecarThroughputBench {
    @Inject
    GrpcServerLifecycle grpc;

    private record Run(long series, long samples, long nanos, long cpuNanos) {
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    @Test
    void sidecarVersusDirectRemoteRead() throws Exception {
        int rounds = Integer.getInteger("gauntlet.bench.rounds", 8);
        long min = PrometheusWithBlocks.DATA_START;
        long max = PrometheusWithBlocks.DATA_END;
        PrometheusClient direct = new PrometheusClient(PrometheusWithBlocks.prometheus.url(), Duration.ofSeconds(60));
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpc.port()).usePlaintext().maxInboundMessageSize(64 << 20).build();
        StoreClient client = new StoreClient("sidecar", channel, Duration.ofSeconds(60), 64, false);
        List<Run> directRuns = new ArrayList<>();
        List<Run> sidecarRuns = new ArrayList<>();
        List<Run> batchedRuns = new ArrayList<>();
        List<Run> rawRuns = new ArrayList<>();
        try {
            for (int round = -3; round < rounds; round++) { // three warm-up rounds
                Run d = direct(direct, min, max);
                Run s = sidecar(client, min, max, 0);
                Run b = sidecar(client, min, max, 64);
                Run r = sidecarUndecoded(channel, min, max);
                if (d.series() != s.series() || d.samples() != s.samples() || b.series() != s.series() || b.samples() != s.samples()) {
                    throw new AssertionError("direct read " + d + " and sidecar reads " + s + ", " + b + " differ");
                }
                if (round >= 0) {
                    directRuns.add(d);
                    sidecarRuns.add(s);
                    batchedRuns.add(b);
                    rawRuns.add(r);
                }
            }
        } finally {
            channel.shutdownNow();
        }
        String report = String.format(Locale.ROOT,
                "sidecar bench: %d series, %d samples per read, %d rounds (median), load average %.1f%n"
                        + "  remote read direct                 : %,10.0f series/s %,12.0f samples/s (%.1f ms, JVM CPU %.1f ms)%n"
                        + "  through the sidecar                : %,10.0f series/s %,12.0f samples/s (%.1f ms, JVM CPU %.1f ms), overhead %.1f %%%n"
                        + "  through the sidecar, batches of 64 : %,10.0f series/s %,12.0f samples/s (%.1f ms, JVM CPU %.1f ms), overhead %.1f %%%n"
                        + "  through the sidecar, undecoded     : %,10.0f series/s %,12.0f samples/s (%.1f ms, JVM CPU %.1f ms), overhead %.1f %%%n",
                directRuns.getFirst().series(), directRuns.getFirst().samples(), rounds,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                perSecond(directRuns, true), perSecond(directRuns, false), median(directRuns) / 1e6, medianCpu(directRuns) / 1e6,
                perSecond(sidecarRuns, true), perSecond(sidecarRuns, false), median(sidecarRuns) / 1e6, medianCpu(sidecarRuns) / 1e6,
                overhead(sidecarRuns, directRuns),
                perSecond(batchedRuns, true), perSecond(batchedRuns, false), median(batchedRuns) / 1e6, medianCpu(batchedRuns) / 1e6,
                overhead(batchedRuns, directRuns),
                perSecond(rawRuns, directRuns.getFirst(), true), perSecond(rawRuns, directRuns.getFirst(), false), median(rawRuns) / 1e6,
                medianCpu(rawRuns) / 1e6, overhead(rawRuns, directRuns));
        System.out.print(report);
        Files.writeString(Path.of("target", "sidecar-bench.txt"), report);
    }

    private static Run direct(PrometheusClient prometheus, long min, long max) throws Exception {
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long series = 0;
        long samples = 0;
        ChunkSeriesSet set = prometheus.remoteRead(min, max, List.of(io.gauntlet.tsdb.LabelMatcher.regex("__name__", "node_.*|http_.*")),
                PrometheusWithBlocks.EXTERNAL_LABELS.keySet(), PrometheusClient.ReadMode.STREAMED_XOR_CHUNKS);
        while (set.next()) {
            series++;
            for (ChunkSeriesSet.EncodedChunk chunk : set.chunks()) {
                samples += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
            }
        }
        return new Run(series, samples, System.nanoTime() - start, OS.getProcessCpuTime() - cpu);
    }

    /** As a querier reads a store: {@link StoreClient} (prefetching), chunks decoded from the wire into TSDB chunks. */
    private static Run sidecar(StoreClient client, long min, long max, int batchSize) throws Exception {
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        long series = 0;
        long samples = 0;
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max).setResponseBatchSize(batchSize)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.RE).setValue("node_.*|http_.*")).build();
        try (StoreSeriesSet answer = client.series(request)) {
            while (answer.next()) {
                series++;
                for (ChunkSeriesSet.EncodedChunk chunk : answer.chunks()) {
                    samples += ((chunk.data()[0] & 0xFF) << 8) | (chunk.data()[1] & 0xFF);
                }
            }
        }
        return new Run(series, samples, System.nanoTime() - start, OS.getProcessCpuTime() - cpu);
    }

    /**
     * Series messages received as bytes and dropped unparsed: what the sidecar itself costs, without the client's
     * protobuf decode (same request as {@link #sidecar} without batching).
     */
    private static Run sidecarUndecoded(ManagedChannel channel, long min, long max) throws Exception {
        long cpu = OS.getProcessCpuTime();
        long start = System.nanoTime();
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(min).setMaxTime(max)
                .addMatchers(LabelMatcher.newBuilder().setName("__name__").setType(LabelMatcher.Type.RE).setValue("node_.*|http_.*")).build();
        Iterator<Long> answer = io.grpc.stub.ClientCalls.blockingServerStreamingCall(channel, RAW_SERIES,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(60, java.util.concurrent.TimeUnit.SECONDS), request);
        long messages = 0;
        while (answer.hasNext()) {
            answer.next();
            messages++;
        }
        return new Run(messages, 0, System.nanoTime() - start, OS.getProcessCpuTime() - cpu);
    }

    private static final io.grpc.MethodDescriptor<SeriesRequest, Long> RAW_SERIES = io.grpc.MethodDescriptor.<SeriesRequest, Long>newBuilder()
            .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("thanos.Store/Series")
            .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(SeriesRequest.getDefaultInstance()))
            .setResponseMarshaller(new io.grpc.MethodDescriptor.Marshaller<>() {
                @Override
                public java.io.InputStream stream(Long value) {
                    throw new UnsupportedOperationException("responses are only received");
                }

                @Override
                public Long parse(java.io.InputStream stream) {
                    try (stream) {
                        return stream.transferTo(java.io.OutputStream.nullOutputStream());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }).build();

    private static double perSecond(List<Run> runs, Run reference, boolean series) {
        return (series ? reference.series() : reference.samples()) / (median(runs) / 1e9);
    }

    private static double overhead(List<Run> runs, List<Run> baseline) {
        return 100.0 * (median(runs) - median(baseline)) / median(baseline);
    }

    private static double medianCpu(List<Run> runs) {
        long[] nanos = runs.stream().mapToLong(Run::cpuNanos).sorted().toArray();
        return nanos[nanos.length / 2];
    }

    private static double median(List<Run> runs) {
        long[] nanos = runs.stream().mapToLong(Run::nanos).sorted().toArray();
        return nanos.length % 2 == 1 ? nanos[nanos.length / 2] : (nanos[nanos.length / 2 - 1] + nanos[nanos.length / 2]) / 2.0;
    }

    private static double perSecond(List<Run> runs, boolean series) {
        Run first = runs.getFirst();
        return (series ? first.series() : first.samples()) / (median(runs) / 1e9);
    }
}
