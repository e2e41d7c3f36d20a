package io.gauntlet.tsdb;

import io.gauntlet.tsdb.storage.StorageException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Stored data that cannot be what it claims to be: a bad magic number, a CRC mismatch, a truncated file,
 * an offset pointing outside its file. Names the block (or directory), the file and the byte offset.
 */
public class CorruptedDataException extends StorageException {
    /** What kind of damage, for metrics and marker reasons ({@link #label()} is the metric label value). */
    public enum Kind {
        /** A CRC or checksum does not match its bytes. */
        CHECKSUM,
        /** The file ends before the data it claims to hold. */
        TRUNCATED,
        /** A file of the block is not there. */
        MISSING_FILE,
        /** An encoding byte or format version that is not one of the known ones. */
        UNKNOWN_ENCODING,
        /** Bytes that pass their checksums (or have none) but do not decode: bad lengths, references, order. */
        DECODE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String block;
    private final String file;
    private final long offset;
    private final String problem;
    private final Kind kind;

    public CorruptedDataException(String block, String file, long offset, String problem) {
        this(block, file, offset, problem, kindOf(problem), null);
    }

    public CorruptedDataException(String block, String file, long offset, String problem, Throwable cause) {
        this(block, file, offset, problem, kindOf(problem), cause);
    }

    public CorruptedDataException(String block, String file, long offset, String problem, Kind kind, Throwable cause) {
        super(describe(block, file, offset, problem), cause);
        this.block = block;
        this.file = file;
        this.offset = offset;
        this.problem = problem;
        this.kind = kind;
    }

    /** The kind a problem's wording states; the readers' messages say "checksum", "truncated", "missing" where it applies. */
    static Kind kindOf(String problem) {
        String text = problem.toLowerCase(Locale.ROOT);
        if (text.contains("checksum") || text.contains("crc")) {
            return Kind.CHECKSUM;
        }
        if (text.contains("missing") || text.contains("does not exist")) {
            return Kind.MISSING_FILE;
        }
        if (text.contains("truncated") || text.contains("past the end of the file") || text.contains("shorter than")
                || text.contains("too short")) {
            return Kind.TRUNCATED;
        }
        if (text.contains("unknown") && (text.contains("encoding") || text.contains("format")) || text.contains("unsupported")) {
            return Kind.UNKNOWN_ENCODING;
        }
        return Kind.DECODE;
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

    /** The problem alone, without block, file and offset. */
    public String problem() {
        return problem;
    }

    public Kind kind() {
        return kind;
    }

    /** Byte offset in the file, or -1 when the problem is not at one place (e.g. a missing file). */
    public long offset() {
        return offset;
    }
}
