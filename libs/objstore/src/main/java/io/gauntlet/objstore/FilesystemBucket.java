package io.gauntlet.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A bucket in a local directory ({@code type: FILESYSTEM}). Objects are files below the directory; an upload
 * writes a hidden temporary file next to the target and renames it atomically, so a reader sees the old
 * object or the whole new one. Empty directories left by deletes are removed, as Thanos does.
 */
public final class FilesystemBucket implements Bucket {
    private static final String TEMP_PREFIX = ".gauntlet-upload-";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path root;
    private final String name;

    public FilesystemBucket(Path directory) {
        try {
            Files.createDirectories(directory);
            this.root = directory.toRealPath();
        } catch (IOException e) {
            throw new BucketException("cannot use " + directory + " as a FILESYSTEM bucket: " + e, e);
        }
        this.name = "fs: " + root;
    }

    public Path directory() {
        return root;
    }

    private Path resolve(String objectName) {
        ObjectNames.checkObjectName(objectName);
        Path path = root.resolve(objectName).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("object name escapes the bucket directory: " + objectName);
        }
        return path;
    }

    @Override
    public void upload(String objectName, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            write(objectName, in, Files.size(file));
        } catch (NoSuchFileException e) {
            throw new BucketException("cannot upload " + objectName + ": local file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new BucketException("cannot upload " + objectName + " from " + file + " to " + name + ": " + e, e);
        }
    }

    @Override
    public void upload(String objectName, InputStream data, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("upload length must not be negative, got " + length);
        }
        write(objectName, data, length);
    }

    private void write(String objectName, InputStream data, long length) {
        Path target = resolve(objectName);
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            temp = target.resolveSibling(TEMP_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                long copied = copy(data, out, length);
                if (copied != length) {
                    throw new BucketException("upload of " + objectName + " expected " + length + " bytes but the stream ended after " + copied);
                }
                channel.force(true);
            }
            moveAtomically(temp, target);
            temp = null;
        } catch (FileAlreadyExistsException | NotDirectoryException e) {
            throw new BucketException("cannot upload " + objectName + ": a path component is a file or a directory is in the way (" + e.getFile() + ")", e);
        } catch (IOException e) {
            throw new BucketException("cannot upload " + objectName + " to " + name + ": " + e, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: a leftover temp file is hidden from listings
                }
            }
        }
    }

    private static long copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long remaining = length;
        while (remaining > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (read < 0) {
                break;
            }
            out.write(buffer, 0, read);
            remaining -= read;
        }
        return length - remaining;
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        if (Files.isDirectory(to)) {
            throw new BucketException("cannot upload " + to + ": a directory of that name exists");
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new BucketException("the bucket directory does not support atomic renames: " + e.getMessage(), e);
        }
        // the rename itself must survive a crash, not only the file's bytes
        try (FileChannel directory = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException ignored) {
            // some file systems cannot sync a directory; the rename is still atomic
        }
    }

    @Override
    public InputStream get(String objectName) {
        Path path = resolve(objectName);
        try {
            if (Files.isDirectory(path)) {
                throw new ObjectNotFoundException(name, objectName);
            }
            return Files.newInputStream(path);
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new ObjectNotFoundException(name, objectName);
        } catch (IOException e) {
            throw new BucketException("cannot read " + objectName + " in " + name + ": " + e, e);
        }
    }

    @Override
    public InputStream getRange(String objectName, long offset, long length) {
        ObjectNames.checkRange(objectName, offset, length);
        Path path = resolve(objectName);
        FileChannel channel = null;
        try {
            if (Files.isDirectory(path)) {
                throw new ObjectNotFoundException(name, objectName);
            }
            channel = FileChannel.open(path, StandardOpenOption.READ);
            long size = channel.size();
            if (offset > size || (offset == size && length != 0 && size > 0)) {
                throw new BucketException("range of " + objectName + " starts at " + offset + ", beyond its end (size " + size + ")");
            }
            long end = length == -1 ? size : Math.min(size, offset + length);
            channel.position(offset);
            InputStream in = new RangeInputStream(Channels.newInputStream(channel), end - offset);
            channel = null;
            return in;
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new ObjectNotFoundException(name, objectName);
        } catch (IOException e) {
            throw new BucketException("cannot read " + objectName + " in " + name + ": " + e, e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }

    @Override
    public boolean exists(String objectName) {
        return Files.isRegularFile(resolve(objectName));
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        String prefix = ObjectNames.normalizeDir(dir);
        Path start = prefix.isEmpty() ? root : root.resolve(prefix).normalize();
        if (!start.startsWith(root)) {
            throw new IllegalArgumentException("directory escapes the bucket directory: " + dir);
        }
        if (!Files.isDirectory(start)) {
            return;
        }
        try {
            walk(start, prefix, recursive, consumer);
        } catch (IOException | UncheckedIOException e) {
            throw new BucketException("cannot list " + (prefix.isEmpty() ? "the root" : prefix) + " of " + name + ": " + e, e);
        }
    }

    private void walk(Path directory, String prefix, boolean recursive, Consumer<String> consumer) throws IOException {
        List<String> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory)) {
            for (Path child : stream) {
                String childName = child.getFileName().toString();
                if (childName.startsWith(TEMP_PREFIX) && childName.endsWith(TEMP_SUFFIX)) {
                    continue; // an upload in flight
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(child, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    continue; // deleted while listing
                }
                children.add(attributes.isDirectory() ? childName + Bucket.DELIMITER : childName);
            }
        } catch (NoSuchFileException e) {
            return; // removed while listing
        }
        // lexical order of the full names, as S3 lists them
        children.sort(null);
        for (String child : children) {
            boolean isDirectory = child.endsWith(Bucket.DELIMITER);
            if (!isDirectory) {
                consumer.accept(prefix + child);
            } else if (recursive) {
                walk(directory.resolve(child.substring(0, child.length() - 1)), prefix + child, true, consumer);
            } else {
                consumer.accept(prefix + child);
            }
        }
    }

    @Override
    public void delete(String objectName) {
        Path path = resolve(objectName);
        try {
            if (Files.isDirectory(path)) {
                return; // not an object
            }
            Files.deleteIfExists(path);
            removeEmptyParents(path.getParent());
        } catch (NotDirectoryException e) {
            // a path component is a file: the object cannot exist
        } catch (IOException e) {
            throw new BucketException("cannot delete " + objectName + " in " + name + ": " + e, e);
        }
    }

    private void removeEmptyParents(Path directory) throws IOException {
        Path current = directory;
        while (current != null && current.startsWith(root) && !current.equals(root)) {
            try {
                Files.delete(current);
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                return;
            }
            current = current.getParent();
        }
    }

    @Override
    public ObjectAttributes attributes(String objectName) {
        Path path = resolve(objectName);
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.isDirectory()) {
                throw new ObjectNotFoundException(name, objectName);
            }
            return new ObjectAttributes(attributes.size(), attributes.lastModifiedTime().toInstant());
        } catch (NoSuchFileException | NotDirectoryException e) {
            throw new ObjectNotFoundException(name, objectName);
        } catch (IOException e) {
            throw new BucketException("cannot stat " + objectName + " in " + name + ": " + e, e);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        // nothing held open
    }

    @Override
    public String toString() {
        return "FilesystemBucket[" + root + "]";
    }
}
