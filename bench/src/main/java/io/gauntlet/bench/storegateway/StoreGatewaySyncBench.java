package io.gauntlet.bench.storegateway;

import io.gauntlet.bucketstore.BucketStore;
import io.gauntlet.bucketstore.BucketStoreConfig;
import io.gauntlet.objstore.FilesystemBucket;
import java.nio.file.Path;

/**
 * The first sync of a large bucket when every bucket call costs an object store's latency: the bucket of
 * {@link StoreGatewayScaleBench} behind a fixed delay per call, synced in-process with different meta-fetch and
 * block-load concurrencies, cold (empty cache directory) and warm (the cold run's index headers and meta.json copies).
 *
 * <p>{@code java -cp bench/target/gauntlet-bench.jar io.gauntlet.bench.storegateway.StoreGatewaySyncBench
 * [bucket dir=/tmp/gauntlet-sg-scale/bucket] [blocks=1000] [series per block=10000] [latency ms=10] [meta,load …=1,8 32,8 32,20]}
 */
public final class StoreGatewaySyncBench {
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.gauntlet"); // held: JUL keeps loggers weakly

    public static void main(String[] args) throws Exception {
        Path bucketDir = Path.of(args.length > 0 ? args[0] : "/tmp/gauntlet-sg-scale/bucket");
        int blocks = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int seriesPerBlock = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        long latencyMillis = args.length > 3 ? Long.parseLong(args[3]) : 10;
        String[] settings = args.length > 4 ? java.util.Arrays.copyOfRange(args, 4, args.length) : new String[] {"1,8", "32,8", "32,20"};
        StoreGatewayScaleBench.generate(bucketDir, blocks, seriesPerBlock);
        QUIET.setLevel(java.util.logging.Level.WARNING); // not a line per loaded block
        Path cacheDir = bucketDir.resolveSibling("sync-bench-cache");
        System.out.printf("every bucket call delayed %d ms (an object store's first-byte latency); load %s%n", latencyMillis,
                StoreGatewayScaleBench.loadAverage());
        for (String setting : settings) {
            String[] parts = setting.split(",");
            int meta = Integer.parseInt(parts[0]);
            int load = Integer.parseInt(parts[1]);
            StoreGatewayScaleBench.deleteRecursively(cacheDir);
            for (String run : new String[] {"cold", "warm"}) {
                StoreGatewayBench.CountingBucket bucket = new StoreGatewayBench.CountingBucket(new FilesystemBucket(bucketDir), latencyMillis);
                BucketStoreConfig config = BucketStoreConfig.defaults(cacheDir).withConcurrency(load, meta);
                long start = System.nanoTime();
                try (BucketStore store = new BucketStore(bucket, config)) {
                    store.sync();
                    long nanos = System.nanoTime() - start;
                    System.out.printf("meta-fetch concurrency %2d, block-load concurrency %2d, %s: %d blocks synced in %.2f s, %d bucket calls; load %s%n",
                            meta, load, run, store.blocksLoaded(), nanos / 1e9, bucket.gets.get(), StoreGatewayScaleBench.loadAverage());
                }
            }
        }
    }
}
