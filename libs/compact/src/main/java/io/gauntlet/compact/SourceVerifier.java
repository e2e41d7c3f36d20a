package io.gauntlet.compact;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.CorruptedDataException.Kind;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.block.BlockMeta;
import io.gauntlet.tsdb.block.BlockReader;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.index.SeriesEntry;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks a downloaded source block before compaction or downsampling reads it, so that a damaged source is found
 * before anything is merged: every file meta.json lists is there with its size, the index opens (table of contents,
 * symbols, postings offset table, each with its checksum), every series entry decodes with its checksum, and every
 * chunk it references is inside its segment file with a matching CRC and a known encoding.
 */
final class SourceVerifier {
    private SourceVerifier() {
    }

    /**
     * @throws CorruptedDataException naming the block, the damaged file and where; an unreadable format counts too
     * @throws IOException            when the local copy cannot be read (not the block's fault)
     */
    static void verify(Path blockDirectory, BlockMeta meta) throws IOException, CorruptedDataException {
        String block = meta.ulid().toString();
        if (meta.thanos() != null) {
            for (BlockMeta.File file : meta.thanos().files()) {
                if (file.relPath().equals(BlockMeta.FILE)) {
                    continue;
                }
                Path local = blockDirectory.resolve(file.relPath());
                if (!Files.isRegularFile(local)) {
                    throw new CorruptedDataException(block, file.relPath(), -1, "missing from the bucket although meta.json lists it",
                            Kind.MISSING_FILE, null);
                }
                long size = Files.size(local);
                if (file.sizeBytes() > 0 && size != file.sizeBytes()) {
                    throw new CorruptedDataException(block, file.relPath(), Math.min(size, file.sizeBytes()), "holds " + size
                            + " bytes, meta.json says " + file.sizeBytes(), size < file.sizeBytes() ? Kind.TRUNCATED : Kind.DECODE, null);
                }
            }
        }
        try (BlockReader reader = BlockReader.open(blockDirectory)) {
            Postings postings = reader.index().allPostings();
            SeriesEntry entry = new SeriesEntry();
            while (postings.next()) {
                reader.index().series(postings.at(), entry);
                for (int i = 0; i < entry.chunkCount(); i++) {
                    reader.chunks().chunk(entry.chunkRef(i));
                }
            }
        } catch (CorruptedDataException e) {
            throw e;
        } catch (UnsupportedEncodingException e) {
            throw new CorruptedDataException(block, "index", -1, e.getMessage(), Kind.UNKNOWN_ENCODING, e);
        } catch (StorageException e) {
            throw new CorruptedDataException(block, ".", -1, e.getMessage(), Kind.DECODE, e);
        }
    }
}
