package io.gauntlet.bench.storegateway;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.compact.BlockCompactor;
import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.compact.CompactionProgress;
import io.gauntlet.compact.Downsampler;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.proto.thanos.Aggr;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.seed.NodeExporterProfile;
import io.gauntlet.seed.Seeder;
import io.gauntlet.store.StoreServer;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.block.BlockMeta;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A month of node_exporter history from the seeder (one replica, 2-day blocks, each also downsampled to 5m and 1h as
 * the compactor would), served by the bucket store over loopback gRPC: what a 30-day panel costs at raw, 5m and 1h
 * resolution (the querier's {@code max_source_resolution}) — series, chunk bytes on the wire, time cold and warm.
 *
 * <p>{@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.storegateway.StoreGatewayLongRangeBench [nodes] [days] [runs]}
 */
public final class StoreGatewayLongRangeBench {
    private static final long DAY = 86_400_000L;
    /** Thanos' resolutions (ms), as meta.json and max_resolution_window carry them. */
    private static final long RAW = 0, FIVE_MINUTES = 300_000L, ONE_HOUR = 3_600_000L;

    /** Held so that the level set on it stays (the bucket store logs every block it loads). */
    private static final java.util.logging.Logger BUCKET_STORE_LOG = java.util.logging.Logger.getLogger("io.gauntlet.bucketstore");

    private record Panel(String name, List<LabelMatcher> matchers, List<Aggr> aggregates) {
    }

    private record Drained(int series, long chunkBytes) {
    }

    public static void main(String[] args) throws Exception {
        BUCKET_STORE_LOG.setLevel(java.util.logging.Level.WARNING);
        int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path work = Files.createTempDirectory("store-gateway-long-range-bench");
        long end = System.currentTimeMillis() / (2 * DAY) * (2 * DAY);
        long start = end - days * DAY;
        FilesystemBucket bucket = new FilesystemBucket(Files.createDirectories(work.resolve("bucket")));

        // the seeder's blocks, uploaded, and each one downsampled to 5m and from that to 1h
        Seeder.Options options = new Seeder.Options(new NodeExporterProfile(), nodes, start, end, 30_000L, 42, Map.of("cluster", "bench"),
                "prometheus_replica", List.of("a"), 2 * DAY, 3);
        Downsampler downsampler = new Downsampler();
        long[] blocks = new long[3];
        long seedStart = System.nanoTime();
        Seeder.Summary seeded = Seeder.run(options, work.resolve("scratch"), (replica, meta, directory) -> {
            try {
                BlockTransfer.upload(bucket, directory, meta.ulid());
                blocks[0]++;
                Path fiveMinutes = downsampled(downsampler, directory, work.resolve("5m"), FIVE_MINUTES);
                BlockTransfer.upload(bucket, fiveMinutes, BlockMeta.read(fiveMinutes).ulid());
                blocks[1]++;
                Path oneHour = downsampled(downsampler, fiveMinutes, work.resolve("1h"), ONE_HOUR);
                BlockTransfer.upload(bucket, oneHour, BlockMeta.read(oneHour).ulid());
                blocks[2]++;
                BlockTransfer.deleteRecursively(fiveMinutes);
                BlockTransfer.deleteRecursively(oneHour);
                BlockTransfer.deleteRecursively(directory);
            } catch (Exception e) {
                throw new IllegalStateException("seeding the bench's bucket: " + e.getMessage(), e);
            }
        }, (done, total, samples) -> { });
        System.out.printf("seeded: node-exporter, %d nodes, %d days at 30 s, %d series, %,d raw samples; %d raw + %d 5m + %d 1h blocks in %.1f s%n",
                nodes, days, seeded.seriesPerReplica(), seeded.samples(), blocks[0], blocks[1], blocks[2], (System.nanoTime() - seedStart) / 1e9);

        List<Panel> panels = List.of(
                new Panel("rate(node_cpu_seconds_total[..]) (counter, all CPUs and modes)",
                        List.of(LabelMatcher.equal("__name__", "node_cpu_seconds_total")), List.of(Aggr.COUNTER)),
                new Panel("node_memory_MemAvailable_bytes (gauge, avg_over_time)",
                        List.of(LabelMatcher.equal("__name__", "node_memory_MemAvailable_bytes")), List.of(Aggr.COUNT, Aggr.SUM)),
                new Panel("rate(node_network_receive_bytes_total{device!~\"lo|veth.*\"}[..])",
                        List.of(LabelMatcher.equal("__name__", "node_network_receive_bytes_total"), LabelMatcher.notRegex("device", "lo|veth.*")),
                        List.of(Aggr.COUNTER)));
        long[] resolutions = {RAW, FIVE_MINUTES, ONE_HOUR};
        String[] names = {"raw", "5m", "1h"};

        try (BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
            store.sync();
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(new StoreServer(store).storeService()).build().start();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
                    .maxInboundMessageSize(256 << 20).build();
            try {
                for (Panel panel : panels) {
                    System.out.println(panel.name() + ", " + days + " days:");
                    for (int r = 0; r < resolutions.length; r++) {
                        SeriesRequest.Builder request = SeriesRequest.newBuilder().setMinTime(start).setMaxTime(end - 1)
                                .addAllMatchers(StoreWire.toWireMatchers(panel.matchers())).setMaxResolutionWindow(resolutions[r]);
                        if (resolutions[r] != RAW) {
                            request.addAllAggregates(panel.aggregates());
                        }
                        long t = System.nanoTime();
                        Drained first = drain(channel, request.build());
                        long cold = System.nanoTime() - t;
                        long[] warm = new long[runs];
                        for (int i = 0; i < runs; i++) {
                            t = System.nanoTime();
                            drain(channel, request.build());
                            warm[i] = System.nanoTime() - t;
                        }
                        System.out.printf("  %-3s  %5d series, %,11d chunk bytes; first %8.1f ms, then median %8.1f ms, p90 %8.1f ms%n",
                                names[r], first.series(), first.chunkBytes(), StoreGatewayBench.ms(cold),
                                StoreGatewayBench.ms(StoreGatewayBench.median(warm)), StoreGatewayBench.ms(StoreGatewayBench.p90(warm)));
                    }
                }
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
            }
        }
        bucket.close();
        BlockTransfer.deleteRecursively(work);
    }

    private static Path downsampled(Downsampler downsampler, Path source, Path parent, long resolution) throws Exception {
        Files.createDirectories(parent);
        BlockCompactor.Result result = downsampler.downsample(source, parent, resolution, CompactionProgress.NONE);
        return result.directory();
    }

    private static Drained drain(ManagedChannel channel, SeriesRequest request) {
        int series = 0;
        long bytes = 0;
        for (Iterator<SeriesResponse> it = StoreGrpc.newBlockingStub(channel).series(request); it.hasNext(); ) {
            SeriesResponse response = it.next();
            if (response.hasSeries()) {
                series++;
                for (AggrChunk chunk : response.getSeries().getChunksList()) {
                    bytes += chunk.getSerializedSize();
                }
            }
        }
        if (series == 0) {
            throw new IllegalStateException("no series for " + request.getMatchersList());
        }
        return new Drained(series, bytes);
    }
}
