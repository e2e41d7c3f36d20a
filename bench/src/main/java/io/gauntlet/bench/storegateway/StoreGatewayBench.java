package io.gauntlet.bench.storegateway;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.ForwardingBucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.objstore.ObjectAttributes;
import io.gauntlet.proto.thanos.SeriesRequest;
import io.gauntlet.proto.thanos.SeriesResponse;
import io.gauntlet.proto.thanos.StoreGrpc;
import io.gauntlet.store.StoreQuery;
import io.gauntlet.store.StoreServer;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.block.BlockWriter;
import io.gauntlet.tsdb.index.Utf8Order;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One-matcher query returning 1,000 series over 2 h: the bucket store (warm and cold index cache, directly and over
 * loopback gRPC) side by side with reading the same block from local disk with libs/tsdb; counts bucket GETs.
 *
 * <p>{@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.storegateway.StoreGatewayBench [selected] [others] [runs]}
 */
public final class StoreGatewayBench {
    static final long START = 1_700_000_000_000L / 7_200_000L * 7_200_000L;
    static final long END = START + 7_200_000L;

    public static void main(String[] args) throws Exception {
        int selected = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int others = args.length > 1 ? Integer.parseInt(args[1]) : 9000;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Path work = Files.createTempDirectory("store-gateway-bench");
        Path blockDir = writeBlock(work.resolve("local"), selected, others);
        CountingBucket bucket = new CountingBucket(new FilesystemBucket(Files.createDirectories(work.resolve("bucket"))));
        upload(bucket, blockDir);
        List<LabelMatcher> matchers = List.of(LabelMatcher.equal("__name__", "bench_requests_total"));
        System.out.printf("block: %d series selected of %d, 2 h at 15 s, index %d KiB, chunks %d KiB%n", selected, selected + others,
                Files.size(blockDir.resolve("index")) / 1024, Files.size(blockDir.resolve("chunks/000001")) / 1024);

        long[] local = new long[runs];
        BlockReader reader = BlockReader.open(blockDir);
        for (int warm = 0; warm < 5; warm++) {
            drain(reader.selectChunks(START, END, matchers), selected);
        }

        // the bucket store: start-up (index header), cold query, warm queries
        long syncStart = System.nanoTime();
        BucketStore store = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")));
        store.sync();
        long syncNanos = System.nanoTime() - syncStart;
        long startupGets = bucket.gets.get();
        long[] cold = new long[Math.min(runs, 10)];
        long coldGets = 0;
        for (int i = 0; i < cold.length; i++) {
            try (BucketStore fresh = new BucketStore(bucket, BucketStoreConfig.defaults(work.resolve("cache")))) {
                fresh.sync(); // the index header is on disk already: no index reads here
                long before = bucket.gets.get();
                long t = System.nanoTime();
                drain(fresh.series(StoreQuery.of(START, END, matchers)), selected);
                cold[i] = System.nanoTime() - t;
                coldGets = bucket.gets.get() - before;
            }
        }
        for (int warm = 0; warm < 5; warm++) {
            drain(store.series(StoreQuery.of(START, END, matchers)), selected);
        }
        // over gRPC (loopback TCP), as a querier calls it
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new StoreServer(store).storeService()).build().start();
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().maxInboundMessageSize(64 << 20).build();
        SeriesRequest request = SeriesRequest.newBuilder().setMinTime(START).setMaxTime(END)
                .addAllMatchers(StoreWire.toWireMatchers(matchers)).build();
        for (int warm = 0; warm < 5; warm++) {
            grpcDrain(channel, request, selected);
        }
        // interleaved, so that the machine's changing load hits all three alike
        long[] direct = new long[runs];
        long[] grpc = new long[runs];
        long[] batched = new long[runs];
        SeriesRequest batchedRequest = request.toBuilder().setResponseBatchSize(64).build();
        long warmGets = 0;
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            drain(reader.selectChunks(START, END, matchers), selected);
            local[i] = System.nanoTime() - t;
            long before = bucket.gets.get();
            t = System.nanoTime();
            drain(store.series(StoreQuery.of(START, END, matchers)), selected);
            direct[i] = System.nanoTime() - t;
            warmGets += bucket.gets.get() - before;
            t = System.nanoTime();
            grpcDrain(channel, request, selected);
            grpc[i] = System.nanoTime() - t;
            t = System.nanoTime();
            grpcDrain(channel, batchedRequest, selected);
            batched[i] = System.nanoTime() - t;
        }
        warmGets /= runs;
        reader.close();
        channel.shutdownNow();
        server.shutdownNow();
        store.close();

        System.out.printf("local disk (libs/tsdb BlockReader.selectChunks, mmap): median %.2f ms, p90 %.2f ms%n", ms(median(local)), ms(p90(local)));
        System.out.printf("bucket store, warm cache, ChunkSource.series: median %.2f ms, p90 %.2f ms (%.2f x local), %d GETs/query%n",
                ms(median(direct)), ms(p90(direct)), (double) median(direct) / median(local), warmGets);
        System.out.printf("bucket store, warm cache, Series over loopback gRPC: median %.2f ms, p90 %.2f ms (%.2f x local)%n",
                ms(median(grpc)), ms(p90(grpc)), (double) median(grpc) / median(local));
        System.out.printf("bucket store, warm cache, Series over loopback gRPC, response_batch_size 64: median %.2f ms, p90 %.2f ms (%.2f x local)%n",
                ms(median(batched)), ms(p90(batched)), (double) median(batched) / median(local));
        System.out.printf("bucket store, cold index cache: median %.2f ms, %d bucket GETs (postings, series, chunks; coalesced)%n",
                ms(median(cold)), coldGets);
        System.out.printf("start-up: sync + index header build %.1f ms, %d bucket GETs/lists for 1 block%n", syncNanos / 1e6, startupGets);
        bucket.close();
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static long median(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    static long p90(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[(int) Math.min(copy.length - 1, Math.round(copy.length * 0.9))];
    }

    static void drain(ChunkSeriesSet set, int expected) throws Exception {
        int n = 0;
        long bytes = 0;
        while (set.next()) {
            for (ChunkSeriesSet.EncodedChunk chunk : set.chunks()) {
                bytes += chunk.data().length;
            }
            n++;
        }
        if (n != expected || bytes == 0) {
            throw new IllegalStateException("expected " + expected + " series, got " + n);
        }
    }

    static void grpcDrain(ManagedChannel channel, SeriesRequest request, int expected) {
        int n = 0;
        for (Iterator<SeriesResponse> it = StoreGrpc.newBlockingStub(channel).series(request); it.hasNext(); ) {
            SeriesResponse response = it.next();
            n += response.hasSeries() ? 1 : response.getBatch().getSeriesCount();
        }
        if (n != expected) {
            throw new IllegalStateException("expected " + expected + " series over gRPC, got " + n);
        }
    }

    static Path writeBlock(Path parent, int selected, int others) throws Exception {
        Files.createDirectories(parent);
        List<Labels> series = new ArrayList<>();
        for (int i = 0; i < selected; i++) {
            series.add(Labels.of("__name__", "bench_requests_total", "instance", "host-" + i + ":9100", "job", "node"));
        }
        for (int i = 0; i < others; i++) {
            series.add(Labels.of("__name__", "other_metric_" + (i % 50), "instance", "host-" + i + ":9100", "job", "node"));
        }
        series.sort(Utf8Order::compare);
        Random random = new Random(1);
        int samples = 480;
        long[] ts = new long[samples];
        double[] values = new double[samples];
        try (BlockWriter writer = BlockWriter.create(parent, START, END)) {
            for (Labels labels : series) {
                double v = random.nextInt(1000);
                for (int s = 0; s < samples; s++) {
                    ts[s] = START + s * 15_000L + random.nextInt(3);
                    v += random.nextInt(20);
                    values[s] = v;
                }
                writer.addSeries(labels, ts, values, samples);
            }
            writer.commit();
            return writer.directory();
        }
    }

    static void upload(Bucket bucket, Path blockDir) throws Exception {
        BlockMeta meta = BlockMeta.read(blockDir);
        String id = meta.ulid().toString();
        List<BlockMeta.File> files = new ArrayList<>();
        try (Stream<Path> chunks = Files.list(blockDir.resolve("chunks"))) {
            for (Path chunk : chunks.sorted().toList()) {
                bucket.upload(id + "/chunks/" + chunk.getFileName(), chunk);
                files.add(BlockMeta.File.of("chunks/" + chunk.getFileName(), Files.size(chunk)));
            }
        }
        bucket.upload(id + "/index", blockDir.resolve("index"));
        files.add(BlockMeta.File.of("index", Files.size(blockDir.resolve("index"))));
        byte[] json = meta.withThanos(BlockMeta.Thanos.of(Map.of("cluster", "bench"), 0, "sidecar").withFiles(files)).toJson();
        bucket.upload(id + "/meta.json", new ByteArrayInputStream(json), json.length);
    }

    /** Counts the reads that would be GET requests on an object store; optionally delays each by an object store's latency. */
    static final class CountingBucket extends ForwardingBucket {
        final AtomicLong gets = new AtomicLong();
        private final long latencyMillis;

        CountingBucket(Bucket delegate) {
            this(delegate, 0);
        }

        CountingBucket(Bucket delegate, long latencyMillis) {
            super(delegate);
            this.latencyMillis = latencyMillis;
        }

        private void roundTrip() {
            gets.incrementAndGet();
            if (latencyMillis > 0) {
                try {
                    Thread.sleep(latencyMillis); // the simulated network, not a wait for a condition
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public InputStream get(String name) {
            roundTrip();
            return super.get(name);
        }

        @Override
        public InputStream getRange(String name, long offset, long length) {
            roundTrip();
            return super.getRange(name, offset, length);
        }

        @Override
        public boolean exists(String name) {
            roundTrip();
            return super.exists(name);
        }

        @Override
        public void iter(String dir, boolean recursive, Consumer<String> consumer) {
            roundTrip();
            super.iter(dir, recursive, consumer);
        }

        @Override
        public ObjectAttributes attributes(String name) {
            roundTrip();
            return super.attributes(name);
        }
    }
}
