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

    /** What reads a stream to upload (a backend's stream upload). */
    interface StreamUpload {
        void upload(InputStream in) throws IOException;
    }

    /** The checks every stream upload makes first: a valid object name, a length that is not negative. */
    static void checkUpload(String name, long length) {
        ObjectNames.checkObjectName(name);
        if (length < 0) {
            throw new IllegalArgumentException("upload length must not be negative, got " + length);
        }
    }

    /** Streams the local file {@code file} to {@code upload}; an I/O failure is a {@link BucketException} naming both. */
    static void fromFile(String name, Path file, StreamUpload upload) {
        try (InputStream in = Files.newInputStream(file)) {
            upload.upload(in);
        } catch (IOException e) {
            throw new BucketException("cannot upload " + name + " from " + file + ": " + e, e);
        }
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
