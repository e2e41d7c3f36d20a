package io.gauntlet.tsdb;

import io.gauntlet.tsdb.storage.StorageException;
import java.nio.file.Path;

/**
 * Stored data that cannot be what it claims to be: a bad magic number, a CRC mismatch, a truncated file,
 * an offset pointing outside its file. Names the block (or directory), the file and the byte offset.
 */
public class CorruptedDataException extends StorageException {
    private final String block;
    private final String file;
    private final long offset;

    public CorruptedDataException(String block, String file, long offset, String problem) {
        super(describe(block, file, offset, problem));
        this.block = block;
        this.file = file;
        this.offset = offset;
    }

    public CorruptedDataException(String block, String file, long offset, String problem, Throwable cause) {
        super(describe(block, file, offset, problem), cause);
        this.block = block;
        this.file = file;
        this.offset = offset;
    }

    /** Block name (ULID) of a path such as {@code <dir>/<ULID>/index}: its parent directory's name. */
    public static String blockOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("chunks")) {
            parent = parent.getParent();
        }
        return parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
    }

    private static String describe(String block, String file, long offset, String problem) {
        return "corrupted block " + block + ": " + file + (offset >= 0 ? " at offset " + offset : "") + ": " + problem;
    }

    public String block() {
        return block;
    }

    public String file() {
        return file;
    }

    /** Byte offset in the file, or -1 when the problem is not at one place (e.g. a missing file). */
    public long offset() {
        return offset;
    }
}
