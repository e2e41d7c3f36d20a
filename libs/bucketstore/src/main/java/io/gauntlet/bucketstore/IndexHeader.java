package io.gauntlet.bucketstore;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.index.IndexReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The part of a block's index a store keeps locally (Thanos' index-header idea): symbols, the postings offset
 * table and the table of contents, read from the bucket by byte range once and kept as a small memory-mapped file.
 * Postings lists and series stay in the bucket and are fetched by range; the postings offset table keeps the
 * original offsets, so the header says where each list lies. The heap holds every 32nd symbol offset and every 32nd
 * table entry per label name (as Prometheus' and Thanos' readers do).
 *
 * <p>File layout: the index header (magic, version), the symbol table and the postings offset table copied verbatim,
 * a TOC pointing at the copies, then a 68-byte trailer: the original index's 52-byte TOC, its size (8 bytes), the
 * length before the trailer (4 bytes) and magic {@code 0x48454144} ("HEAD").
 */
public final class IndexHeader implements AutoCloseable {
    static final String FILE = "index-header";
    private static final int TOC_LENGTH = 52;
    private static final int TRAILER = TOC_LENGTH + 8 + 4 + 4;
    private static final int TRAILER_MAGIC = 0x48454144;
    private static final int SAMPLING = 32;
    /** Bytes read from the end of the index at first: the TOC and, unless the block is large, the postings offset table. */
    static final long TAIL_READ = 64 * 1024;

    private final String block;
    private final Arena arena;
    private final MemorySegment file;
    private final long symbolsStart; // first symbol entry
    private final long symbolsEnd;
    private final int symbolCount;
    private final long[] symbolSamples;
    private final String[] labelNames;
    private final IndexReader.Toc toc; // of the original index
    private final long indexSize;
    private final long seriesEnd;
    private final long postingsTableStart; // in this file
    private final Map<String, NameSamples> names;

    /** Every 32nd entry of one label name in the postings offset table (positions in this file). */
    private record NameSamples(String[] values, long[] positions, long end) {
    }

    /** Where one postings list lies in the original index: {@code [start, end)}, end being the next list's start. */
    public record PostingsRange(String value, long start, long end) {
    }

    private IndexHeader(String block, Arena arena, MemorySegment file) throws CorruptedDataException, UnsupportedEncodingException {
        this.block = block;
        this.arena = arena;
        this.file = file;
        long size = file.byteSize();
        if (size < TRAILER + 5 + TOC_LENGTH || file.get(BE_INT, size - 4) != TRAILER_MAGIC) {
            throw corrupted(size, "not an index-header file (missing trailer)");
        }
        long syntheticLength = Integer.toUnsignedLong(file.get(BE_INT, size - 8));
        indexSize = file.get(BE_LONG, size - 16);
        if (syntheticLength != size - TRAILER) {
            throw corrupted(size, "trailer claims " + syntheticLength + " bytes of index, file holds " + (size - TRAILER));
        }
        long t = size - TRAILER;
        toc = new IndexReader.Toc(file.get(BE_LONG, t), file.get(BE_LONG, t + 8), file.get(BE_LONG, t + 16), file.get(BE_LONG, t + 24),
                file.get(BE_LONG, t + 32), file.get(BE_LONG, t + 40));
        long symbolsLength = Integer.toUnsignedLong(file.get(BE_INT, 5));
        symbolsEnd = 5 + 4 + symbolsLength;
        if (symbolsEnd + 4 > syntheticLength) {
            throw corrupted(5, "symbol table of " + symbolsLength + " bytes does not fit");
        }
        long count = Integer.toUnsignedLong(file.get(BE_INT, 9));
        if (count > symbolsLength) {
            throw corrupted(9, "symbol count " + count + " exceeds the table's bytes");
        }
        symbolCount = (int) count;
        symbolsStart = 13;
        symbolSamples = new long[(symbolCount + SAMPLING - 1) / SAMPLING];
        long[] cursor = {symbolsStart};
        for (int i = 0; i < symbolCount; i++) {
            if (i % SAMPLING == 0) {
                symbolSamples[i / SAMPLING] = cursor[0];
            }
            skipString(cursor, symbolsEnd);
        }
        if (cursor[0] != symbolsEnd) {
            throw corrupted(cursor[0], "symbol table has bytes after its " + symbolCount + " symbols");
        }
        seriesEnd = sectionEnd(toc, toc.series(), indexSize - TOC_LENGTH);
        postingsTableStart = file.get(BE_LONG, syntheticLength - TOC_LENGTH + 40);
        names = samplePostingsTable();
        labelNames = names.keySet().stream().filter(n -> !n.isEmpty()).sorted(IndexHeader::compareUtf8).toArray(String[]::new);
    }

    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /**
     * Builds the header of {@code <block>/index} from two range reads (the last 64 KiB: the TOC and, unless the block
     * is large, the postings offset table, which runs up to the TOC; then the file header with the symbol table; a
     * third read for a larger table; one read in all for an index of 64 KiB or less) and writes it atomically to {@code target}.
     */
    public static void build(Bucket bucket, String block, long indexSize, Path target) throws IOException, CorruptedDataException,
            UnsupportedEncodingException {
        String name = block + "/index";
        if (indexSize < 5 + TOC_LENGTH) {
            throw new CorruptedDataException(block, "index", 0, "index of " + indexSize + " bytes is too short");
        }
        long tocStart = indexSize - TOC_LENGTH;
        // one read for the TOC and, in all but large blocks, the postings offset table before it (it runs up to the TOC)
        long tailStart = Math.max(0, indexSize - TAIL_READ);
        byte[] tail = read(bucket, name, tailStart, indexSize - tailStart);
        byte[] tocBytes = Arrays.copyOfRange(tail, (int) (tocStart - tailStart), tail.length);
        CRC32C crc = new CRC32C();
        crc.update(tocBytes, 0, 48);
        if ((int) crc.getValue() != ByteBuffer.wrap(tocBytes, 48, 4).getInt()) {
            throw new CorruptedDataException(block, "index", tocStart, "table of contents checksum mismatch");
        }
        ByteBuffer tb = ByteBuffer.wrap(tocBytes);
        IndexReader.Toc toc = new IndexReader.Toc(tb.getLong(0), tb.getLong(8), tb.getLong(16), tb.getLong(24), tb.getLong(32), tb.getLong(40));
        long symbols = toc.symbols();
        long postingsTable = toc.postingsTable();
        if (symbols < 5 || symbols + 8 > tocStart || postingsTable < 5 || postingsTable + 8 > tocStart) {
            throw new CorruptedDataException(block, "index", tocStart, "table of contents points outside the index: symbols at " + symbols
                    + ", postings offset table at " + postingsTable);
        }
        // the file header and the symbol table, up to the next section (a few bytes of alignment padding at most)
        long symbolsUntil = sectionEnd(toc, symbols, tocStart);
        if (toc.series() > symbols && toc.series() < symbolsUntil) {
            symbolsUntil = toc.series();
        }
        byte[] headAndSymbols = tailStart == 0 ? Arrays.copyOf(tail, (int) symbolsUntil) : read(bucket, name, 0, symbolsUntil);
        ByteBuffer headBuffer = ByteBuffer.wrap(headAndSymbols);
        if (headBuffer.getInt(0) != IndexReader.MAGIC) {
            throw new CorruptedDataException(block, "index", 0, "invalid magic number " + Integer.toHexString(headBuffer.getInt(0)));
        }
        int version = headAndSymbols[4] & 0xFF;
        if (version != IndexReader.FORMAT_V2) {
            throw new UnsupportedEncodingException("index of block " + block + " has format version " + version + "; the store gateway reads version 2");
        }
        byte[] symbolSection = checkedSection(headAndSymbols, (int) symbols, block, symbols, "symbol table");
        // the postings offset table runs up to the TOC in files Prometheus writes; otherwise its length says where it ends
        byte[] tableBytes = postingsTable >= tailStart
                ? Arrays.copyOfRange(tail, (int) (postingsTable - tailStart), (int) (tocStart - tailStart))
                : read(bucket, name, postingsTable, tocStart - postingsTable);
        byte[] tableSection = checkedSection(tableBytes, 0, block, postingsTable, "postings offset table");
        byte[] head = java.util.Arrays.copyOf(headAndSymbols, 5);

        int length = 5 + symbolSection.length + tableSection.length + TOC_LENGTH;
        ByteBuffer out = ByteBuffer.allocate(length + TRAILER);
        out.put(head).put(symbolSection).put(tableSection);
        int syntheticToc = out.position();
        out.putLong(5).putLong(0).putLong(0).putLong(0).putLong(0).putLong(5 + symbolSection.length);
        crc.reset();
        crc.update(out.array(), syntheticToc, 48);
        out.putInt((int) crc.getValue());
        out.put(tocBytes).putLong(indexSize).putInt(length).putInt(TRAILER_MAGIC);
        Files.createDirectories(target.getParent());
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (OutputStream file = Files.newOutputStream(temp)) {
            file.write(out.array());
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A section {@code len(4B) … CRC(4B)} starting at {@code at} in {@code bytes}, checked and copied. */
    private static byte[] checkedSection(byte[] bytes, int at, String block, long offset, String what) throws CorruptedDataException {
        if (at + 8 > bytes.length) {
            throw new CorruptedDataException(block, "index", offset, what + " does not fit the index");
        }
        long length = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, at, 4).getInt());
        if (length < 4 || at + 4 + length + 4 > bytes.length) {
            throw new CorruptedDataException(block, "index", offset, what + " length " + length + " does not fit before the next section");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, at + 4, (int) length);
        if ((int) crc.getValue() != ByteBuffer.wrap(bytes, (int) (at + 4 + length), 4).getInt()) {
            throw new CorruptedDataException(block, "index", offset, what + " checksum mismatch");
        }
        return java.util.Arrays.copyOfRange(bytes, at, (int) (at + 4 + length + 4));
    }

    static byte[] read(Bucket bucket, String name, long offset, long length) throws CorruptedDataException {
        return BlockFileReads.read(bucket, name, offset, length, false);
    }

    /** Maps a header file written by {@link #build}. */
    public static IndexHeader open(Path file, String block) throws IOException, CorruptedDataException, UnsupportedEncodingException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new IndexHeader(block, arena, segment);
        } catch (IOException | CorruptedDataException | UnsupportedEncodingException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public IndexReader.Toc originalToc() {
        return toc;
    }

    public long indexSize() {
        return indexSize;
    }

    /** The end of the series section in the original index. */
    public long seriesEnd() {
        return seriesEnd;
    }

    public long headerBytes() {
        return file.byteSize();
    }

    /** The string of a v2 symbol reference (its ordinal in the symbol table). */
    public String symbol(long ref) throws CorruptedDataException {
        if (ref < 0 || ref >= symbolCount) {
            throw corrupted(symbolsStart, "symbol reference " + ref + " outside the " + symbolCount + " symbols");
        }
        long[] cursor = {symbolSamples[(int) (ref / SAMPLING)]};
        for (long skip = ref % SAMPLING; skip > 0; skip--) {
            skipString(cursor, symbolsEnd);
        }
        return string(cursor, symbolsEnd);
    }

    /** Label names present in the index, sorted. */
    public List<String> labelNames() {
        return List.of(labelNames);
    }

    /** All values of a label name, sorted; empty for an unknown name. */
    public List<String> labelValues(String name) throws CorruptedDataException {
        List<String> values = new ArrayList<>();
        for (PostingsRange range : postingsRanges(name, value -> true)) {
            values.add(range.value());
        }
        return values;
    }

    /** The postings list of every series (the ("", "") entry). */
    public PostingsRange allPostings() throws CorruptedDataException {
        List<PostingsRange> all = postingsRanges("", value -> value.isEmpty());
        if (all.isEmpty()) {
            throw corrupted(postingsTableStart, "postings offset table lacks the all-postings entry");
        }
        return all.getFirst();
    }

    /** The postings lists of the values of {@code name} that {@code accept} selects, in table (value) order. */
    public List<PostingsRange> postingsRanges(String name, Predicate<String> accept) throws CorruptedDataException {
        NameSamples samples = names.get(name);
        if (samples == null) {
            return List.of();
        }
        List<PostingsRange> out = new ArrayList<>();
        walk(samples, 0, samples.end, accept, null, out);
        return out;
    }

    /** The postings list of one pair, or null. */
    public PostingsRange postingsRange(String name, String value) throws CorruptedDataException {
        NameSamples samples = names.get(name);
        if (samples == null) {
            return null;
        }
        int i = Arrays.binarySearch(samples.values, value, IndexHeader::compareUtf8);
        if (i >= 0) {
            List<PostingsRange> out = new ArrayList<>(1);
            walk(samples, samples.positions[i], samples.end, value::equals, value, out);
            return out.isEmpty() ? null : out.getFirst();
        }
        int floor = -i - 2;
        if (floor < 0) {
            return null;
        }
        List<PostingsRange> out = new ArrayList<>(1);
        walk(samples, samples.positions[floor], samples.end, value::equals, value, out);
        return out.isEmpty() ? null : out.getFirst();
    }

    /** Walks table entries from {@code from} ({@code 0}: the name's first) until {@code end} or past {@code stopAfter}. */
    private void walk(NameSamples samples, long from, long end, Predicate<String> accept, String stopAfter, List<PostingsRange> out)
            throws CorruptedDataException {
        long position = from == 0 ? samples.positions[0] : from;
        Entry entry = new Entry();
        Entry next = new Entry();
        readEntry(position, entry);
        while (true) {
            boolean last = entry.next >= tableEnd();
            long listEnd;
            if (last) {
                listEnd = toc.postingsTable();
            } else {
                readEntry(entry.next, next);
                listEnd = next.offset;
            }
            if (stopAfter != null && compareUtf8(entry.value, stopAfter) > 0) {
                return;
            }
            if (accept.test(entry.value)) {
                if (listEnd <= entry.offset) {
                    throw corrupted(position, "postings list of " + entry.value + " ends at " + listEnd + " before it starts at " + entry.offset);
                }
                out.add(new PostingsRange(entry.value, entry.offset, listEnd));
            }
            if (entry.next >= end || last) {
                return;
            }
            Entry swap = entry;
            entry = next;
            next = swap;
        }
    }

    private long tableEnd() {
        return file.byteSize() - TRAILER - TOC_LENGTH - 4; // the table's CRC
    }

    /** One decoded entry of the postings offset table. */
    private static final class Entry {
        String name;
        String value;
        long offset;
        long next;
    }

    private void readEntry(long position, Entry into) throws CorruptedDataException {
        long[] cursor = {position};
        long keys = uvarint(cursor);
        if (keys != 2) {
            throw corrupted(position, "postings offset table entry has " + keys + " keys, expected 2");
        }
        into.name = string(cursor);
        into.value = string(cursor);
        into.offset = uvarint(cursor);
        into.next = cursor[0];
    }

    private Map<String, NameSamples> samplePostingsTable() throws CorruptedDataException {
        long position = postingsTableStart + 8; // len, #entries
        long end = tableEnd();
        Map<String, NameSamples> out = new HashMap<>();
        String currentName = null;
        List<String> values = new ArrayList<>();
        List<Long> positions = new ArrayList<>();
        int count = 0;
        Entry entry = new Entry();
        while (position < end) {
            readEntry(position, entry);
            if (!entry.name.equals(currentName)) {
                if (currentName != null) {
                    out.put(currentName, samples(values, positions, position));
                }
                currentName = entry.name;
                values.clear();
                positions.clear();
                count = 0;
            }
            if (count++ % SAMPLING == 0) {
                values.add(entry.value);
                positions.add(position);
            }
            position = entry.next;
        }
        if (currentName != null) {
            out.put(currentName, samples(values, positions, end));
        }
        return out;
    }

    private static NameSamples samples(List<String> values, List<Long> positions, long end) {
        return new NameSamples(values.toArray(String[]::new), positions.stream().mapToLong(Long::longValue).toArray(), end);
    }

    private long uvarint(long[] cursor) throws CorruptedDataException {
        return uvarint(cursor, tableEnd());
    }

    private long uvarint(long[] cursor, long limit) throws CorruptedDataException {
        long value = 0;
        int shift = 0;
        long p = cursor[0];
        while (true) {
            if (p >= limit || shift > 63) {
                throw corrupted(p, "truncated uvarint");
            }
            byte b = file.get(ValueLayout.JAVA_BYTE, p++);
            value |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                break;
            }
            shift += 7;
        }
        cursor[0] = p;
        return value;
    }

    private String string(long[] cursor) throws CorruptedDataException {
        return string(cursor, tableEnd());
    }

    private String string(long[] cursor, long limit) throws CorruptedDataException {
        long length = uvarint(cursor, limit);
        long p = cursor[0];
        if (length > limit - p) {
            throw corrupted(p, "string of " + length + " bytes runs past its section");
        }
        byte[] bytes = new byte[(int) length];
        MemorySegment.copy(file, ValueLayout.JAVA_BYTE, p, bytes, 0, bytes.length); // no slice object per string
        cursor[0] = p + length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void skipString(long[] cursor, long limit) throws CorruptedDataException {
        long length = uvarint(cursor, limit);
        if (length > limit - cursor[0]) {
            throw corrupted(cursor[0], "string of " + length + " bytes runs past its section");
        }
        cursor[0] += length;
    }

    /** Compares as the index sorts: by UTF-8 bytes. */
    static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static long sectionEnd(IndexReader.Toc toc, long start, long fallback) {
        long end = fallback;
        for (long offset : new long[] {toc.labelIndices(), toc.labelIndicesTable(), toc.postings(), toc.postingsTable()}) {
            if (offset > start && offset < end) {
                end = offset;
            }
        }
        return end;
    }

    private CorruptedDataException corrupted(long offset, String problem) {
        return new CorruptedDataException(block, FILE, offset, problem);
    }

    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
