package io.gauntlet.compact;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.DeletionMark;
import io.gauntlet.tsdb.block.NoCompactMark;
import io.gauntlet.tsdb.block.NoDownsampleMark;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.block.UnsupportedMetaVersionException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Moves whole blocks between the bucket and a local directory, in the order that keeps readers safe. */
public final class BlockTransfer {
    private BlockTransfer() {
    }

    /**
     * Downloads {@code <ulid>/…} (without markers) into {@code <parent>/<ulid>}, replacing a leftover; files are written
     * to a temporary name first so a crash never leaves a file that looks complete.
     */
    public static Path download(Bucket bucket, Ulid ulid, Path parent) throws IOException {
        Path target = parent.resolve(ulid.toString());
        deleteRecursively(target);
        String prefix = ulid + Bucket.DELIMITER;
        List<String> objects = bucket.list(prefix, true);
        if (!objects.contains(prefix + BlockMeta.FILE)) {
            throw new IOException("block " + ulid + " has no meta.json in bucket " + bucket.name() + " (deleted meanwhile?)");
        }
        for (String object : objects) {
            String relative = object.substring(prefix.length());
            if (relative.equals(DeletionMark.FILE) || relative.equals(NoCompactMark.FILE) || relative.equals(NoDownsampleMark.FILE)) {
                continue;
            }
            Path file = target.resolve(relative);
            Files.createDirectories(file.getParent());
            Path partial = file.resolveSibling(file.getFileName() + ".part");
            try (InputStream in = bucket.get(object)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return target;
    }

    /**
     * Uploads a local block: {@code chunks/*}, then {@code index}, then every other file, then {@code meta.json} last,
     * so that until the very end a reader sees a partial upload and ignores it.
     */
    public static void upload(Bucket bucket, Path blockDirectory, Ulid ulid) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(blockDirectory)) {
            files = new ArrayList<>(walk.filter(Files::isRegularFile).toList());
        }
        files.sort(Comparator.comparingInt((Path file) -> uploadRank(blockDirectory.relativize(file).toString()))
                .thenComparing(file -> blockDirectory.relativize(file).toString()));
        for (Path file : files) {
            String relative = blockDirectory.relativize(file).toString().replace(file.getFileSystem().getSeparator(), Bucket.DELIMITER);
            if (relative.equals(BlockMeta.FILE)) {
                stampUploadTime(blockDirectory);
            }
            bucket.upload(ulid + Bucket.DELIMITER + relative, file);
        }
    }

    /** Sets {@code thanos.upload_time} to now in the local meta.json just before it goes up, as every Thanos writer does. */
    static void stampUploadTime(Path blockDirectory) throws IOException {
        BlockMeta meta;
        try {
            meta = BlockMeta.read(blockDirectory);
        } catch (CorruptedDataException | UnsupportedMetaVersionException e) {
            throw new IOException("cannot read " + blockDirectory.resolve(BlockMeta.FILE) + ": " + e.getMessage(), e);
        }
        if (meta.thanos() != null) {
            meta.withThanos(meta.thanos().withUploadTime(Instant.now())).writeTo(blockDirectory);
        }
    }

    private static int uploadRank(String relative) {
        if (relative.startsWith("chunks")) {
            return 0;
        }
        if (relative.equals("index")) {
            return 1;
        }
        return relative.equals(BlockMeta.FILE) ? 3 : 2;
    }

    /**
     * Deletes a block marked for deletion: {@code meta.json} first (from then on readers see a partial upload, never a
     * half-deleted block that looks whole), then every other file, the deletion mark last.
     */
    public static void deleteBlock(Bucket bucket, Ulid ulid) {
        String prefix = ulid + Bucket.DELIMITER;
        bucket.delete(prefix + BlockMeta.FILE);
        for (String object : bucket.list(prefix, true)) {
            if (!object.equals(prefix + DeletionMark.FILE)) {
                bucket.delete(object);
            }
        }
        bucket.delete(prefix + DeletionMark.FILE);
    }

    public static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
