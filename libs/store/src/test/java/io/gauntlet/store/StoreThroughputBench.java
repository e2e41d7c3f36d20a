package io.gauntlet.store;

import io.gauntlet.proto.thanos.LabelMatcher;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A bench command, not a test: Series throughput of StoreServer → StoreClient over a loopback socket, and penalty
 * deduplication speed. Run with the test classpath:
 * {@code java -cp <test classpath> io.gauntlet.store.StoreThroughputBench [series] [batch]}.
 */
public final class StoreThroughputBench {
    public static void main(String[] args) throws Exception {
        int seriesCount = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        FakeChunkSource source = new FakeChunkSource(Labels.of("cluster", "eu", "replica", "a"));
        EncodedChunk chunk = FakeChunkSource.realXor(0, 1_785_000, 120, 1); // one 2h-block chunk at 15 s
        for (int i = 0; i < seriesCount; i++) {
            source.add(Labels.of("__name__", "http_requests_total", "instance", "10.0.0." + (i % 250) + ":9100", "job", "api",
                    "path", "/v1/" + i), chunk);
        }
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addServices(new StoreServer(source).services())
                .build().start();
        try (StoreClient client = StoreClient.connect("127.0.0.1:" + server.getPort(), Duration.ofMinutes(5))) {
            SeriesRequest request = SeriesRequest.newBuilder().setMaxTime(Long.MAX_VALUE).setResponseBatchSize(batch)
                    .addWithoutReplicaLabels("replica")
                    .addMatchers(LabelMatcher.newBuilder().setName("__name__").setValue("http_requests_total")).build();
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                long bytes = 0;
                int n = 0;
                try (StoreSeriesSet set = client.series(request)) {
                    while (set.next()) {
                        bytes += set.chunks().getFirst().data().length;
                        n++;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("series: %d series in %.2f s = %.0f series/s, %.1f MB chunk data/s (batch %d)%n", n, seconds,
                        n / seconds, bytes / seconds / 1e6, batch);
            }
        } finally {
            server.shutdownNow();
        }

        int samples = 2_000_000;
        for (int round = 0; round < 5; round++) {
            long start = System.nanoTime();
            SampleIterator merged = PenaltyDeduplicator.of(List.of(ArraySamples.every(0, (samples - 1) * 15_000L, 15_000, 0),
                    ArraySamples.every(7_000, 7_000 + (samples - 1) * 15_000L, 15_000, 0)), true);
            long n = 0;
            double sum = 0;
            while (merged.next()) {
                sum += merged.value();
                n++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("dedup: %d samples out of 2 x %d in %.3f s = %.1f M samples/s (checksum %.0f)%n", n, samples, seconds,
                    2.0 * samples / seconds / 1e6, sum);
        }
    }
}
