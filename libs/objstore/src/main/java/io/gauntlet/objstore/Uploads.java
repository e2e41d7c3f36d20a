package io.gauntlet.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What the remote backends share around an upload: the local file's size, exact reads of a part, and telling I/O failures. */
final class Uploads {
    private Uploads() {
    }

    /** The size of the local file to upload as {@code name}, or a {@link BucketException} saying why not. */
    static long fileSize(String name, Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new BucketException("cannot upload " + name + ": local file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new BucketException("cannot upload " + name + " from " + file + ": " + e, e);
        }
    }

    /** Reads exactly {@code partLength} bytes into {@code buffer}; a stream that ends early fails the upload. */
    static byte[] readPart(String name, InputStream data, byte[] buffer, int partLength, long offset, long total) {
        try {
            int read = data.readNBytes(buffer, 0, partLength);
            if (read != partLength) {
                throw new BucketException("upload of " + name + " expected " + total + " bytes but the stream ended after " + (offset + read));
            }
            return buffer;
        } catch (IOException e) {
            throw new BucketException("cannot read the data to upload as " + name + ": " + e, e);
        }
    }

    /** Whether an I/O failure (unreachable server, broken connection) is among the causes. */
    static boolean causedByIo(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return true;
            }
        }
        return false;
    }
}
