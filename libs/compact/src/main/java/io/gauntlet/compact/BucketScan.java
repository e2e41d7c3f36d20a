package io.gauntlet.compact;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.ObjectNotFoundException;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.block.UnsupportedMetaVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what the bucket holds about blocks: every top-level ULID directory with its {@code meta.json} and markers.
 * Metas never change once written, so they are cached by ULID across scans; markers are re-read each scan.
 * Top-level entries that are not ULIDs ({@code debug/}, …) are skipped, as every Thanos reader does.
 */
public final class BucketScan {
    private static final System.Logger LOG = System.getLogger(BucketScan.class.getName());

    /**
     * One scan's result.
     *
     * @param metas          blocks with a readable meta.json
     * @param deletionMarks  blocks marked for deletion (with or without meta.json)
     * @param noCompactMarks blocks the compactor must leave alone
     * @param noDownsampleMarks blocks the compactor must not downsample
     * @param partials       directories without meta.json: uploads in progress or abandoned
     * @param unreadable     blocks whose meta.json could not be parsed, with the reason
     */
    public record Snapshot(Map<Ulid, BlockMeta> metas, Map<Ulid, DeletionMark> deletionMarks, Map<Ulid, NoCompactMark> noCompactMarks,
                           Map<Ulid, NoDownsampleMark> noDownsampleMarks, Set<Ulid> partials, Map<Ulid, String> unreadable) {
        public Snapshot {
            metas = Map.copyOf(metas);
            deletionMarks = Map.copyOf(deletionMarks);
            noCompactMarks = Map.copyOf(noCompactMarks);
            noDownsampleMarks = Map.copyOf(noDownsampleMarks);
            partials = Set.copyOf(partials);
            unreadable = Map.copyOf(unreadable);
        }
    }

    private final Bucket bucket;
    private final Map<Ulid, BlockMeta> metaCache = new ConcurrentHashMap<>();

    public BucketScan(Bucket bucket) {
        this.bucket = bucket;
    }

    public Bucket bucket() {
        return bucket;
    }

    /** Lists the bucket; fails with the bucket's {@link io.gauntlet.objstore.BucketException} when it cannot be listed. */
    public Snapshot scan() {
        Map<Ulid, BlockMeta> metas = new TreeMap<>();
        Map<Ulid, DeletionMark> deletionMarks = new TreeMap<>();
        Map<Ulid, NoCompactMark> noCompactMarks = new TreeMap<>();
        Map<Ulid, NoDownsampleMark> noDownsampleMarks = new TreeMap<>();
        Set<Ulid> partials = new TreeSet<>();
        Map<Ulid, String> unreadable = new TreeMap<>();
        Set<Ulid> seen = new TreeSet<>();
        for (String entry : bucket.list("", false)) {
            if (!entry.endsWith(Bucket.DELIMITER)) {
                continue;
            }
            String name = entry.substring(0, entry.length() - 1);
            if (!Ulid.isUlid(name)) {
                continue;
            }
            Ulid ulid = Ulid.parse(name);
            seen.add(ulid);
            List<String> files = bucket.list(entry, false);
            boolean hasMeta = files.contains(entry + BlockMeta.FILE);
            if (files.contains(entry + DeletionMark.FILE)) {
                readMarker(entry + DeletionMark.FILE, name, DeletionMark::parse, deletionMarks, ulid, unreadable);
            }
            if (files.contains(entry + NoCompactMark.FILE)) {
                readMarker(entry + NoCompactMark.FILE, name, NoCompactMark::parse, noCompactMarks, ulid, unreadable);
            }
            if (files.contains(entry + NoDownsampleMark.FILE)) {
                readMarker(entry + NoDownsampleMark.FILE, name, NoDownsampleMark::parse, noDownsampleMarks, ulid, unreadable);
            }
            if (!hasMeta) {
                metaCache.remove(ulid);
                partials.add(ulid);
                continue;
            }
            BlockMeta meta = metaCache.get(ulid);
            if (meta == null) {
                try {
                    meta = readMeta(ulid);
                } catch (ObjectNotFoundException e) {
                    partials.add(ulid); // deleted between the listing and the read
                    continue;
                } catch (CorruptedDataException | UnsupportedMetaVersionException e) {
                    unreadable.put(ulid, e.getMessage());
                    continue;
                }
                metaCache.put(ulid, meta);
            }
            metas.put(ulid, meta);
        }
        metaCache.keySet().retainAll(seen);
        return new Snapshot(metas, deletionMarks, noCompactMarks, noDownsampleMarks, partials, unreadable);
    }

    /** Reads one block's meta.json from the bucket. */
    public BlockMeta readMeta(Ulid ulid) throws CorruptedDataException, UnsupportedMetaVersionException {
        return BlockMeta.parse(read(ulid + "/" + BlockMeta.FILE), ulid.toString());
    }

    /** Remembers a meta this process wrote, so the next scan need not read it back. */
    public void remember(BlockMeta meta) {
        metaCache.put(meta.ulid(), meta);
    }

    private byte[] read(String object) {
        try (InputStream in = bucket.get(object)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + object + " from bucket " + bucket.name(), e);
        }
    }

    @FunctionalInterface
    private interface MarkerParser<T> {
        T parse(byte[] json, String block) throws CorruptedDataException, UnsupportedMetaVersionException;
    }

    private <T> void readMarker(String object, String block, MarkerParser<T> parser, Map<Ulid, T> into, Ulid ulid, Map<Ulid, String> unreadable) {
        try {
            into.put(ulid, parser.parse(read(object), block));
        } catch (ObjectNotFoundException e) {
            // removed between listing and reading
        } catch (CorruptedDataException | UnsupportedMetaVersionException e) {
            LOG.log(System.Logger.Level.WARNING, "block {0}: cannot read {1}: {2}", block, object, e.getMessage());
            unreadable.put(ulid, e.getMessage());
        }
    }
}
