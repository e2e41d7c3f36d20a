package io.gauntlet.shipper;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventType;
import io.gauntlet.events.BlockStats;
import io.gauntlet.events.EventOutbox;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.block.BlockIndexStats;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.block.UnsupportedMetaVersionException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One shipper pass over a Prometheus TSDB directory (Thanos' {@code Shipper.Sync}): every complete compaction-level-1
 * block with samples that is not yet in the bucket is uploaded, oldest {@code minTime} first — {@code chunks/*}, then
 * {@code index}, then {@code meta.json} with the {@code thanos} section last, so a reader never sees a block without
 * all its files. The first failure stops the pass (a later block is never uploaded before an earlier one). After
 * each block its {@code block.uploaded} event goes into the outbox, then {@code thanos.shipper.json} is rewritten.
 *
 * <p>Not thread-safe: one pass at a time (the {@link ShipperLoop} runs them).
 */
public final class BlockShipper {
    private static final System.Logger LOG = System.getLogger(BlockShipper.class.getName());
    private static final String CHUNKS = "chunks";
    private static final String INDEX = "index";

    private final Path tsdbDirectory;
    private final Bucket bucket;
    private final Supplier<Map<String, String>> externalLabels;
    private final String source;
    private final String producer;
    private final EventOutbox outbox;
    private final ShipperMetrics metrics;
    private final Runnable eventAdded;

    /**
     * @param source     the {@code thanos.source} of uploaded metas ({@code sidecar}, {@code ruler}, …)
     * @param producer   the events' producer (CloudEvents source), a URI reference such as {@code gauntlet/shipper/prometheus-0}
     * @param outbox     where events wait for Kafka, or null to publish none
     * @param eventAdded called after an event went into the outbox (wakes the publisher)
     */
    public BlockShipper(Path tsdbDirectory, Bucket bucket, Map<String, String> externalLabels, String source, String producer,
                        EventOutbox outbox, ShipperMetrics metrics, Runnable eventAdded) {
        this(tsdbDirectory, bucket, constant(externalLabels), source, producer, outbox, metrics, eventAdded);
    }

    /** With external labels asked before every pass (Prometheus may reload its config; Thanos follows it too). */
    public BlockShipper(Path tsdbDirectory, Bucket bucket, Supplier<Map<String, String>> externalLabels, String source, String producer,
                        EventOutbox outbox, ShipperMetrics metrics, Runnable eventAdded) {
        this.tsdbDirectory = Objects.requireNonNull(tsdbDirectory, "tsdbDirectory");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.externalLabels = Objects.requireNonNull(externalLabels, "externalLabels");
        this.source = Objects.requireNonNull(source, "source");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.outbox = outbox;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.eventAdded = eventAdded == null ? () -> { } : eventAdded;
    }

    private static Supplier<Map<String, String>> constant(Map<String, String> labels) {
        requireLabels(labels);
        Map<String, String> copy = Map.copyOf(labels);
        return () -> copy;
    }

    private static Map<String, String> requireLabels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            throw new ShipperException("external labels are empty: blocks without them cannot be told apart in the bucket; "
                    + "set global.external_labels in Prometheus or gauntlet.shipper.external-labels");
        }
        return labels;
    }

    public Path tsdbDirectory() {
        return tsdbDirectory;
    }

    /**
     * One pass; returns the number of blocks uploaded.
     *
     * @throws ShipperException naming the block and the cause when a block could not be read or uploaded (blocks before
     *                          it are shipped and recorded, none after it is tried)
     */
    public int sync() {
        boolean failed = true;
        try {
            int uploaded = syncBlocks();
            failed = false;
            return uploaded;
        } finally {
            metrics.dirSync(failed);
        }
    }

    private int syncBlocks() {
        Map<String, String> labels = Map.copyOf(requireLabels(externalLabels.get()));
        List<BlockMeta> metas = completeBlocks(tsdbDirectory);
        Set<String> done = new HashSet<>(ShipperState.read(tsdbDirectory).uploaded());
        Set<String> local = new HashSet<>();
        metas.forEach(meta -> local.add(meta.ulid().toString()));
        done.retainAll(local); // blocks Prometheus deleted (compacted away, retention) leave the state, as in Thanos
        int uploaded = 0;
        boolean stateDirty = true;
        try {
            for (BlockMeta meta : metas) {
                String ulid = meta.ulid().toString();
                if (done.contains(ulid) || !shippable(meta)) {
                    continue;
                }
                boolean inBucket;
                try {
                    inBucket = bucket.exists(ulid + "/" + BlockMeta.FILE);
                } catch (BucketException e) {
                    metrics.uploadFailed();
                    throw new ShipperException("cannot check whether block " + ulid + " is in bucket " + bucket.name() + ": " + e.getMessage(), e);
                }
                BlockMeta bucketMeta;
                if (inBucket) {
                    // uploaded before a crash (or by another shipper): its event may not have been stored yet
                    LOG.log(System.Logger.Level.INFO, "block {0} is already in the bucket, recording it", ulid);
                    bucketMeta = withThanos(meta, tsdbDirectory.resolve(ulid), labels);
                } else {
                    try {
                        bucketMeta = upload(meta, labels);
                    } catch (RuntimeException e) {
                        metrics.uploadFailed();
                        throw e;
                    }
                    uploaded++;
                    metrics.uploaded();
                }
                publish(bucketMeta);
                done.add(ulid);
                writeState(metas, done);
                stateDirty = false;
            }
        } finally {
            if (stateDirty) {
                writeStateQuietly(metas, done);
            }
        }
        return uploaded;
    }

    /** Thanos ships compaction level 1 blocks with samples; compacted ones are the compactor's. */
    static boolean shippable(BlockMeta meta) {
        return meta.compaction().level() == 1 && meta.stats().numSamples() > 0;
    }

    /**
     * The complete blocks of a TSDB directory, by {@code minTime} then ULID: directories named by a ULID with a
     * {@code meta.json} (Prometheus writes {@code <ulid>.tmp-for-creation} and renames it when done).
     */
    public static List<BlockMeta> completeBlocks(Path tsdbDirectory) {
        List<BlockMeta> metas = new ArrayList<>();
        List<Path> directories;
        try (Stream<Path> entries = Files.list(tsdbDirectory)) {
            directories = entries.filter(path -> Ulid.isUlid(path.getFileName().toString()) && Files.isDirectory(path)).sorted().toList();
        } catch (IOException e) {
            throw new ShipperException("cannot list the TSDB directory " + tsdbDirectory + ": " + e, e);
        }
        for (Path directory : directories) {
            try {
                metas.add(BlockMeta.read(directory));
            } catch (NoSuchFileException e) {
                // no meta.json: not a complete block (or deleted meanwhile)
            } catch (IOException | CorruptedDataException | UnsupportedMetaVersionException e) {
                throw new ShipperException("cannot read the meta.json of block " + directory + ": " + e.getMessage(), e);
            }
        }
        metas.sort(Comparator.comparingLong(BlockMeta::minTime).thenComparing(BlockMeta::ulid));
        return metas;
    }

    private BlockMeta upload(BlockMeta meta, Map<String, String> labels) {
        String ulid = meta.ulid().toString();
        Path directory = tsdbDirectory.resolve(ulid);
        long start = System.nanoTime();
        BlockMeta bucketMeta = withThanos(meta, directory, labels);
        long bytes = 0;
        for (BlockMeta.File file : bucketMeta.thanos().files()) {
            if (file.relPath().equals(BlockMeta.FILE)) {
                continue;
            }
            uploadFile(ulid, directory, file.relPath());
            bytes += file.sizeBytes();
        }
        bucketMeta = bucketMeta.withThanos(bucketMeta.thanos().withUploadTime(Instant.now()));
        byte[] json = bucketMeta.toJson();
        try {
            bucket.upload(ulid + "/" + BlockMeta.FILE, new ByteArrayInputStream(json), json.length); // last: the block is now visible
        } catch (BucketException e) {
            throw new ShipperException("upload of block " + ulid + " failed at meta.json: " + e.getMessage(), e);
        }
        LOG.log(System.Logger.Level.INFO, "uploaded block {0} [{1}, {2}) with {3} files, {4} bytes in {5} ms", ulid,
                Long.toString(meta.minTime()), Long.toString(meta.maxTime()), bucketMeta.thanos().files().size(), Long.toString(bytes),
                (System.nanoTime() - start) / 1_000_000);
        return bucketMeta;
    }

    private void uploadFile(String ulid, Path directory, String relPath) {
        try {
            bucket.upload(ulid + "/" + relPath, directory.resolve(relPath));
        } catch (BucketException e) {
            throw new ShipperException("upload of block " + ulid + " failed at " + relPath + ": " + e.getMessage(), e);
        }
    }

    /** The meta as it goes to the bucket: external labels, resolution 0, the source, segment files and file sizes. */
    BlockMeta withThanos(BlockMeta meta, Path directory, Map<String, String> labels) {
        List<String> segments = new ArrayList<>();
        List<BlockMeta.File> files = new ArrayList<>();
        try {
            Path chunks = directory.resolve(CHUNKS);
            try (Stream<Path> entries = Files.list(chunks)) {
                for (Path chunk : entries.filter(Files::isRegularFile).sorted().toList()) {
                    String name = chunk.getFileName().toString();
                    segments.add(name);
                    files.add(BlockMeta.File.of(CHUNKS + "/" + name, Files.size(chunk)));
                }
            }
            files.add(BlockMeta.File.of(INDEX, Files.size(directory.resolve(INDEX))));
        } catch (NoSuchFileException e) {
            throw new ShipperException("block " + meta.ulid() + " in " + tsdbDirectory + " is missing " + e.getFile()
                    + " (deleted by Prometheus meanwhile, or incomplete)", e);
        } catch (IOException e) {
            throw new ShipperException("cannot read block " + meta.ulid() + " in " + tsdbDirectory + ": " + e, e);
        }
        files.add(BlockMeta.File.of(BlockMeta.FILE, 0));
        BlockMeta.IndexStats indexStats;
        try {
            indexStats = BlockIndexStats.measure(directory);
        } catch (IOException | StorageException e) {
            throw new ShipperException("cannot read block " + meta.ulid() + " in " + tsdbDirectory + ": " + e.getMessage(), e);
        }
        BlockMeta.Thanos kept = meta.thanos() == null ? BlockMeta.Thanos.of(labels, 0, source) : meta.thanos();
        BlockMeta.Thanos thanos = kept.withLabels(labels).withDownsample(0).withSource(source).withSegmentFiles(segments).withFiles(files)
                .withIndexStats(indexStats);
        return meta.withThanos(thanos);
    }

    private void publish(BlockMeta meta) {
        if (outbox == null) {
            return;
        }
        BlockEvent event = BlockEvent.of(BlockEventType.UPLOADED, meta.ulid().toString(), meta.minTime(), meta.maxTime(),
                Labels.fromMap(meta.thanos().labels()), meta.thanos().downsample().resolution(), meta.compaction().level(),
                meta.compaction().sources().stream().map(Ulid::toString).toList(),
                new BlockStats(meta.stats().numSamples(), meta.stats().numSeries(), meta.stats().numChunks()), producer);
        try {
            outbox.add(event);
        } catch (IOException e) {
            // not recorded as shipped: the next pass finds the block in the bucket and stores its event once there is room
            metrics.outboxWriteFailed();
            throw new ShipperException("block " + meta.ulid() + " is in the bucket but its event could not be stored in the outbox "
                    + outbox.directory() + " (full disk?), retrying: " + e, e);
        }
        eventAdded.run();
    }

    private void writeState(List<BlockMeta> metas, Set<String> done) {
        List<String> uploaded = new ArrayList<>();
        for (BlockMeta meta : metas) {
            if (done.contains(meta.ulid().toString())) {
                uploaded.add(meta.ulid().toString());
            }
        }
        try {
            new ShipperState(ShipperState.VERSION, uploaded).write(tsdbDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + tsdbDirectory.resolve(ShipperState.FILE), e);
        }
    }

    private void writeStateQuietly(List<BlockMeta> metas, Set<String> done) {
        try {
            writeState(metas, done);
        } catch (UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, e.getMessage() + ": " + e.getCause());
        }
    }
}
