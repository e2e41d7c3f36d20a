package io.gauntlet.bucketstore;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketException;
import io.gauntlet.objstore.ObjectAttributes;
import io.gauntlet.objstore.ObjectNotFoundException;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.CorruptedDataException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Range reads of a block's files ({@code <ulid>/index}, {@code <ulid>/chunks/000001}) that tell a damaged block from
 * a failing bucket: a missing file or one shorter than the read needs is a {@link CorruptedDataException} naming the
 * file (the bucket answered, the block is wrong); anything else stays a {@link BucketException} (tried again later).
 */
final class BlockFileReads {
    private BlockFileReads() {
    }

    /**
     * {@code length} bytes at {@code offset}; with {@code mayBeShort} fewer when the object ends first (reads sized by
     * an estimate), otherwise a short object is a truncated file.
     */
    static byte[] read(Bucket bucket, String object, long offset, long length, boolean mayBeShort) throws CorruptedDataException {
        if (length > Integer.MAX_VALUE - 16) {
            throw new BucketException(object + ": range of " + length + " bytes is too large");
        }
        try (InputStream in = bucket.getRange(object, offset, length)) {
            // one array of the asked size, filled in large reads (readNBytes(int) would gather 16 KiB pieces and copy)
            byte[] bytes = new byte[(int) length];
            int read = in.readNBytes(bytes, 0, bytes.length);
            if (read != length) {
                if (!mayBeShort) {
                    // the HTTP clients fail a body cut short, so fewer bytes means the object itself is shorter
                    throw truncated(object, offset, length, offset + read);
                }
                bytes = Arrays.copyOf(bytes, read);
            }
            return bytes;
        } catch (ObjectNotFoundException e) {
            throw missing(object);
        } catch (BucketException e) {
            throw confirmed(bucket, object, offset, mayBeShort ? 1 : length, e);
        } catch (IOException e) {
            throw new BucketException("reading " + object + " at " + offset + ": " + e.getMessage(), e);
        }
    }

    /** A failed read explained by the object's attributes (gone, or ending before the read), else the failure as it was. */
    private static CorruptedDataException confirmed(Bucket bucket, String object, long offset, long needed, BucketException failure) {
        ObjectAttributes attributes;
        try {
            attributes = bucket.attributes(object);
        } catch (ObjectNotFoundException e) {
            return missing(object);
        } catch (BucketException e) {
            failure.addSuppressed(e);
            throw failure;
        }
        if (attributes.size() < offset + needed) {
            return truncated(object, offset, needed, attributes.size());
        }
        throw failure;
    }

    private static CorruptedDataException missing(String object) {
        int slash = object.indexOf('/');
        return new CorruptedDataException(object.substring(0, slash), object.substring(slash + 1), -1,
                "missing from the bucket although meta.json is there", Kind.MISSING_FILE, null);
    }

    private static CorruptedDataException truncated(String object, long offset, long length, long size) {
        int slash = object.indexOf('/');
        return new CorruptedDataException(object.substring(0, slash), object.substring(slash + 1), offset,
                "truncated: the object ends at byte " + size + ", a read of " + length + " bytes needs it to reach " + (offset + length),
                Kind.TRUNCATED, null);
    }
}
