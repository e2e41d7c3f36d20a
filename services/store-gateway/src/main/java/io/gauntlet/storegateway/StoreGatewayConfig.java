package io.gauntlet.storegateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The store gateway's settings; names follow Thanos' store flags ({@code --objstore.config-file}, {@code --min-time}, …). */
@ConfigMapping(prefix = "gauntlet.store-gateway")
public interface StoreGatewayConfig {
    /** Objstore YAML file ({@code --objstore.config-file}); wins over {@link #objstoreConfig()}. */
    Optional<Path> objstoreConfigFile();

    /** Objstore YAML inline ({@code --objstore.config}). */
    Optional<String> objstoreConfig();

    /** Local directory for meta.json copies and index headers ({@code --data-dir}). */
    @WithDefault("./data")
    Path dataDir();

    /** Bound of the postings/series cache in bytes ({@code --index-cache-size}, default 250 MiB). */
    @WithDefault("262144000")
    long indexCacheSize();

    /** Full bucket sync period ({@code --sync-block-duration}); block events make new blocks visible sooner. */
    @WithDefault("15m")
    Duration syncInterval();

    /** Blocks marked for deletion longer ago than this are no longer served ({@code --ignore-deletion-marks-delay}). */
    @WithDefault("24h")
    Duration ignoreDeletionMarksDelay();

    /** Time shard start: RFC 3339 or relative like -2w ({@code --min-time}). */
    @WithDefault("0000-01-01T00:00:00Z")
    String minTime();

    /** Time shard end ({@code --max-time}). */
    @WithDefault("9999-12-31T23:59:59Z")
    String maxTime();

    /** Only blocks whose external labels match this selector, e.g. {@code {cluster=~"eu-.*"}} (Thanos' relabel keep). */
    Optional<String> selector();

    /** Per-request series limit, 0 = none ({@code --store.limits.request-series}). */
    @WithDefault("0")
    long requestSeriesLimit();

    /** Per-request samples limit, 0 = none ({@code --store.limits.request-samples}); estimated as chunks × 120. */
    @WithDefault("0")
    long requestSamplesLimit();

    /** Blocks loaded in parallel ({@code --block-sync-concurrency}, Thanos' default 20: a load mostly waits on range reads). */
    @WithDefault("20")
    int blockSyncConcurrency();

    /** meta.json and deletion-mark reads in flight during a sync ({@code --block-meta-fetch-concurrency}). */
    @WithDefault("32")
    int blockMetaFetchConcurrency();

    /** Blocks read in parallel for one request. */
    @WithDefault("8")
    int queryConcurrency();

    /** Kafka bootstrap servers for block events; absent = periodic sync only. */
    Optional<String> kafkaBootstrap();

    @WithDefault("gauntlet.blocks")
    String eventsTopic();

    /** Whether Series answers carry the xxhash64 of each chunk. */
    @WithDefault("false")
    boolean chunkHashes();
}
