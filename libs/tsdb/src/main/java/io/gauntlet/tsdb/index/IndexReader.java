package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads a Prometheus index file (format version 1 or 2) from a memory-mapped segment. Opening checks the
 * header, the TOC, the symbol table and the postings offset table (bounds and CRCs) and keeps on the heap
 * only every 32nd symbol offset and every 32nd postings-table entry per label name; everything else is read
 * from the mapped file on demand, bounds- and CRC-checked. Safe for concurrent readers; closing unmaps the file,
 * after which no method may be called.
 */
public final class IndexReader implements AutoCloseable {
    public static final int MAGIC = 0xBAAAD700;
    public static final int FORMAT_V1 = 1;
    public static final int FORMAT_V2 = 2;
    static final int HEADER_LENGTH = 5;
    static final int TOC_LENGTH = 6 * 8 + 4;
    static final int SAMPLING = 32; // Prometheus' symbolFactor: keep one offset in 32 on the heap
    static final String FILE = "index";

    /** Section offsets from the table of contents; 0 means the section is absent. */
    public record Toc(long symbols, long series, long labelIndices, long labelIndicesTable, long postings, long postingsTable) {
    }

    /** Offsets into the postings offset table for one label name (v2: sampled entry positions; v1: every value). */
    private record NameOffsets(String[] values, long[] offsets) {
    }

    private final Arena arena; // null when the caller owns the memory
    private final MemorySegment segment;
    private final String block;
    private final int version;
    private final Toc toc;
    private final long tocStart;
    private final long seriesEnd;

    private final long symbolsStart; // first symbol entry
    private final long symbolsEnd;   // the symbol table's CRC
    private final int symbolCount;
    private final long[] symbolSamples; // offset of every 32nd symbol entry

    private final long postingsTableEnd; // the postings offset table's CRC
    private final Map<String, NameOffsets> postingsTable;
    private final String[] labelNames; // sorted, without the all-postings name ""
    private final long[] nameSymbolRefs; // sorted symbol references of label names …
    private final String[] nameSymbols;  // … and their strings

    private IndexReader(Arena arena, MemorySegment segment, String block) throws CorruptedDataException, UnsupportedEncodingException {
        this.arena = arena;
        this.segment = segment;
        this.block = block;
        SegmentCursor cursor = cursor();
        long size = segment.byteSize();
        if (size < HEADER_LENGTH) {
            throw cursor.corrupted(0, "file of " + size + " bytes is shorter than the index header");
        }
        int magic = segment.get(SegmentCursor.BE_INT, 0);
        if (magic != MAGIC) {
            throw cursor.corrupted(0, "invalid magic number " + Integer.toHexString(magic) + ", expected baaad700");
        }
        version = segment.get(ValueLayout.JAVA_BYTE, 4) & 0xFF;
        if (version != FORMAT_V1 && version != FORMAT_V2) {
            throw new UnsupportedEncodingException("index of block " + block + " has format version " + version + "; supported are 1 and 2");
        }
        if (size < HEADER_LENGTH + TOC_LENGTH) {
            throw cursor.corrupted(HEADER_LENGTH, "file of " + size + " bytes is too short to hold a table of contents");
        }
        tocStart = size - TOC_LENGTH;
        cursor.checkCrc(tocStart, size - 4, "table of contents");
        cursor.window(tocStart, size - 4);
        toc = new Toc(cursor.be64(), cursor.be64(), cursor.be64(), cursor.be64(), cursor.be64(), cursor.be64());
        for (long offset : new long[] {toc.symbols, toc.series, toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable}) {
            if (offset != 0 && (offset < HEADER_LENGTH || offset > tocStart)) {
                throw cursor.corrupted(tocStart, "table of contents points at " + offset + ", outside [" + HEADER_LENGTH + ", " + tocStart + "]");
            }
        }
        if (toc.symbols == 0 || toc.postingsTable == 0) {
            throw cursor.corrupted(tocStart, "table of contents lacks the symbol table or the postings offset table");
        }
        seriesEnd = sectionEndAfter(toc.series);

        // symbol table: len, #symbols, entries, CRC over #symbols + entries
        cursor.window(toc.symbols, tocStart);
        long symbolsLength = cursor.be32();
        if (symbolsLength < 4 || toc.symbols + 4 + symbolsLength + 4 > tocStart) {
            throw cursor.corrupted(toc.symbols, "symbol table length " + symbolsLength + " does not fit the file");
        }
        symbolsEnd = toc.symbols + 4 + symbolsLength;
        cursor.checkCrc(toc.symbols + 4, symbolsEnd, "symbol table");
        cursor.window(toc.symbols + 4, symbolsEnd);
        long count = cursor.be32();
        symbolsStart = cursor.position();
        if (count > (symbolsEnd - symbolsStart) || count > Integer.MAX_VALUE) {
            throw cursor.corrupted(toc.symbols, "symbol count " + count + " exceeds the table's " + (symbolsEnd - symbolsStart) + " bytes");
        }
        symbolCount = (int) count;
        symbolSamples = new long[(symbolCount + SAMPLING - 1) / SAMPLING];
        for (int i = 0; i < symbolCount; i++) {
            if (i % SAMPLING == 0) {
                symbolSamples[i / SAMPLING] = cursor.position();
            }
            cursor.skipString();
        }
        if (cursor.remaining() != 0) {
            throw cursor.corrupted(cursor.position(), "symbol table has " + cursor.remaining() + " bytes after its " + symbolCount + " symbols");
        }

        // postings offset table: len, #entries, entries, CRC over #entries + entries
        cursor.window(toc.postingsTable, tocStart);
        long tableLength = cursor.be32();
        if (tableLength < 4 || toc.postingsTable + 4 + tableLength + 4 > tocStart) {
            throw cursor.corrupted(toc.postingsTable, "postings offset table length " + tableLength + " does not fit the file");
        }
        postingsTableEnd = toc.postingsTable + 4 + tableLength;
        cursor.checkCrc(toc.postingsTable + 4, postingsTableEnd, "postings offset table");
        cursor.window(toc.postingsTable + 4, postingsTableEnd);
        long entries = cursor.be32();
        postingsTable = version == FORMAT_V1 ? readWholePostingsTable(cursor, entries) : readSampledPostingsTable(cursor, entries);
        labelNames = postingsTable.keySet().stream().filter(name -> !name.isEmpty()).sorted(Utf8Order::compare).toArray(String[]::new);

        // label names are half of all symbol lookups: resolve them once
        long[] refs = new long[labelNames.length];
        String[] byRef = new String[labelNames.length];
        Integer[] order = new Integer[labelNames.length];
        for (int i = 0; i < labelNames.length; i++) {
            refs[i] = reverseLookup(cursor, labelNames[i]);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(refs[a], refs[b]));
        nameSymbolRefs = new long[labelNames.length];
        for (int i = 0; i < order.length; i++) {
            nameSymbolRefs[i] = refs[order[i]];
            byRef[i] = labelNames[order[i]];
        }
        nameSymbols = byRef;
    }

    /** Maps an index file read-only. The caller closes the reader. */
    public static IndexReader open(Path indexFile) throws IOException, CorruptedDataException, UnsupportedEncodingException {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(indexFile, StandardOpenOption.READ)) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            return new IndexReader(arena, segment, CorruptedDataException.blockOf(indexFile));
        } catch (IOException | CorruptedDataException | UnsupportedEncodingException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Reads an index held in memory the caller owns (closing the reader leaves it alone). */
    public static IndexReader of(MemorySegment bytes, String block) throws CorruptedDataException, UnsupportedEncodingException {
        return new IndexReader(null, bytes, block);
    }

    public int version() {
        return version;
    }

    public Toc toc() {
        return toc;
    }

    /** Where the series section ends (the next section's offset). */
    public long seriesSectionEnd() {
        return seriesEnd;
    }

    public String block() {
        return block;
    }

    public int symbolCount() {
        return symbolCount;
    }

    /** All symbols in table order (sorted), one at a time. */
    public void forEachSymbol(Consumer<String> action) throws CorruptedDataException {
        for (SymbolIterator symbols = symbols(); symbols.next(); ) {
            action.accept(symbols.at());
        }
    }

    /** The symbols in table order (sorted) as a pull iterator, e.g. to merge the symbols of several indexes. */
    public SymbolIterator symbols() throws CorruptedDataException {
        SegmentCursor cursor = cursor().window(symbolsStart, symbolsEnd);
        return new SymbolIterator() {
            private int read;
            private String current;

            @Override
            public boolean next() throws CorruptedDataException {
                if (read == symbolCount) {
                    return false;
                }
                current = cursor.string();
                read++;
                return true;
            }

            @Override
            public String at() {
                return current;
            }
        };
    }

    /** Sorted strings read one at a time from a mapped file. */
    public interface SymbolIterator {
        boolean next() throws CorruptedDataException;

        String at();
    }

    /** The string of a symbol reference (v2: the ordinal; v1: the entry's file offset). */
    public String symbol(long ref) throws CorruptedDataException {
        return lookupSymbol(cursor(), ref);
    }

    /** Label names present in the index, sorted. */
    public List<String> labelNames() {
        return List.of(labelNames);
    }

    /** All values of a label name, sorted; empty for an unknown name. */
    public List<String> labelValues(String name) throws CorruptedDataException {
        NameOffsets offsets = postingsTable.get(name);
        if (offsets == null) {
            return List.of();
        }
        if (version == FORMAT_V1) {
            return List.of(offsets.values);
        }
        List<String> values = new ArrayList<>();
        for (TableWalk walk = new TableWalk(name, offsets); walk.next(); ) {
            values.add(walk.value);
        }
        return values;
    }

    /** The postings of every series, in series order. */
    public Postings allPostings() throws CorruptedDataException {
        return postings("", "");
    }

    /** The postings of one label pair; empty when the pair is absent. */
    public Postings postings(String name, String value) throws CorruptedDataException {
        SegmentCursor cursor = cursor();
        long offset = postingsOffset(cursor, name, value);
        return offset < 0 ? Postings.empty() : postingsAt(cursor, offset);
    }

    /** The union of the postings of several values of one label name. */
    public Postings postings(String name, Collection<String> values) throws CorruptedDataException {
        List<Postings> lists = new ArrayList<>(values.size());
        SegmentCursor cursor = cursor();
        for (String value : values) {
            long offset = postingsOffset(cursor, name, value);
            if (offset >= 0) {
                lists.add(postingsAt(cursor, offset));
            }
        }
        return Postings.merge(lists);
    }

    /** The union of the postings of the values of {@code name} that {@code accept} selects, in one table walk. */
    public Postings postingsMatching(String name, Predicate<String> accept) throws CorruptedDataException {
        return postingsMatching(name, "", accept);
    }

    /**
     * Like {@link #postingsMatching(String, Predicate)} for a filter that only accepts values starting with
     * {@code prefix}: walks just the values with that prefix (they are contiguous in the sorted table).
     */
    public Postings postingsMatching(String name, String prefix, Predicate<String> accept) throws CorruptedDataException {
        NameOffsets offsets = postingsTable.get(name);
        if (offsets == null) {
            return Postings.empty();
        }
        long[] selected = new long[16];
        int size = 0;
        int start = prefix.isEmpty() ? 0 : Math.max(floor(offsets.values, prefix), 0);
        for (TableWalk walk = new TableWalk(name, offsets, start); walk.next(); ) {
            if (!walk.value.startsWith(prefix)) {
                if (Utf8Order.compare(walk.value, prefix) > 0) {
                    break; // past the values with the prefix
                }
                continue;
            }
            if (accept.test(walk.value)) {
                if (size == selected.length) {
                    selected = Arrays.copyOf(selected, size * 2);
                }
                selected[size++] = walk.postingsOffset;
            }
        }
        SegmentCursor cursor = cursor();
        List<Postings> lists = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            lists.add(postingsAt(cursor, selected[i]));
        }
        return Postings.merge(lists);
    }

    /**
     * Decodes the series with the given reference (v2: the series ID; v1: its file offset) into {@code into}.
     *
     * @throws CorruptedDataException when the reference is outside the series section or the entry is damaged
     */
    public void series(long ref, SeriesEntry into) throws CorruptedDataException {
        if (into.owner != this) {
            into.bind(this, cursor(), cursor());
        }
        SegmentCursor cursor = into.cursor;
        long offset = version == FORMAT_V2 ? ref * 16 : ref;
        if (ref < 0 || ref > (version == FORMAT_V2 ? 0xFFFF_FFFFL : Long.MAX_VALUE) || toc.series == 0 || offset < toc.series || offset >= seriesEnd) {
            throw cursor.corrupted(offset, "series reference " + ref + " outside the series section [" + toc.series + ", " + seriesEnd + ")");
        }
        cursor.window(offset, seriesEnd);
        int length = cursor.length();
        long bodyStart = cursor.position();
        long bodyEnd = bodyStart + length;
        if (bodyEnd + 4 > seriesEnd) {
            throw cursor.corrupted(offset, "series entry of " + length + " bytes and its checksum run past the series section");
        }
        cursor.checkCrc(bodyStart, bodyEnd, "series entry");
        cursor.window(bodyStart, bodyEnd);
        into.reset();
        long labels = cursor.uvarint();
        if (labels < 0 || labels > cursor.remaining() / 2) {
            throw cursor.corrupted(bodyStart, "series claims " + Long.toUnsignedString(labels) + " labels in " + length + " bytes");
        }
        SegmentCursor symbols = into.symbolCursor;
        for (long i = 0; i < labels; i++) {
            long nameRef = cursor.uvarint32();
            long valueRef = cursor.uvarint32();
            into.addLabel(labelName(symbols, nameRef), cachedSymbol(into, symbols, valueRef));
        }
        long chunks = cursor.uvarint();
        if (chunks < 0 || chunks > cursor.remaining() / 3) {
            throw cursor.corrupted(bodyStart, "series claims " + Long.toUnsignedString(chunks) + " chunks in " + length + " bytes");
        }
        if (chunks > 0) {
            long start = cursor.position();
            try {
                long minTime = cursor.varint();
                long maxTime = Math.addExact(minTime, nonNegative(cursor, cursor.uvarint()));
                long chunkRef = cursor.uvarint();
                into.addChunk(minTime, maxTime, chunkRef);
                for (long i = 1; i < chunks; i++) {
                    minTime = Math.addExact(maxTime, nonNegative(cursor, cursor.uvarint()));
                    maxTime = Math.addExact(minTime, nonNegative(cursor, cursor.uvarint()));
                    chunkRef += cursor.varint();
                    into.addChunk(minTime, maxTime, chunkRef);
                }
            } catch (ArithmeticException e) {
                throw cursor.corrupted(start, "chunk time range overflows 64 bits");
            }
        }
        if (cursor.remaining() != 0) {
            throw cursor.corrupted(cursor.position(), "series entry has " + cursor.remaining() + " bytes after its chunks");
        }
    }

    /** Unmaps the file (when this reader mapped it); postings and iterators of this reader are invalid afterwards. */
    @Override
    public synchronized void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    // ---- internals ----

    private SegmentCursor cursor() {
        return new SegmentCursor(segment, block, FILE);
    }

    private static long nonNegative(SegmentCursor cursor, long value) throws CorruptedDataException {
        if (value < 0) {
            throw cursor.corrupted(cursor.position(), "delta " + Long.toUnsignedString(value) + " overflows 63 bits");
        }
        return value;
    }

    /** The start of the next section after {@code start}: where the series section ends. */
    private long sectionEndAfter(long start) {
        long end = tocStart;
        for (long offset : new long[] {toc.labelIndices, toc.labelIndicesTable, toc.postings, toc.postingsTable}) {
            if (offset > start && offset < end) {
                end = offset;
            }
        }
        return end;
    }

    private String labelName(SegmentCursor cursor, long ref) throws CorruptedDataException {
        int index = Arrays.binarySearch(nameSymbolRefs, ref);
        return index >= 0 ? nameSymbols[index] : lookupSymbol(cursor, ref);
    }

    private String cachedSymbol(SeriesEntry entry, SegmentCursor cursor, long ref) throws CorruptedDataException {
        int slot = (int) (ref ^ ref >>> 17) & (SeriesEntry.CACHE_SIZE - 1);
        if (entry.cachedRefs[slot] == ref) {
            return entry.cachedSymbols[slot];
        }
        String symbol = lookupSymbol(cursor, ref);
        entry.cachedRefs[slot] = ref;
        entry.cachedSymbols[slot] = symbol;
        return symbol;
    }

    private String lookupSymbol(SegmentCursor cursor, long ref) throws CorruptedDataException {
        if (version == FORMAT_V2) {
            if (ref < 0 || ref >= symbolCount) {
                throw cursor.corrupted(symbolsStart, "symbol reference " + ref + " outside the " + symbolCount + " symbols");
            }
            int ordinal = (int) ref;
            cursor.window(symbolSamples[ordinal / SAMPLING], symbolsEnd);
            for (int i = ordinal % SAMPLING; i > 0; i--) {
                cursor.skipString();
            }
            return cursor.string();
        }
        if (ref < symbolsStart || ref >= symbolsEnd) {
            throw cursor.corrupted(symbolsStart, "symbol offset " + ref + " outside the symbol table [" + symbolsStart + ", " + symbolsEnd + ")");
        }
        cursor.window(ref, symbolsEnd);
        return cursor.string();
    }

    /** The reference of a symbol (v2 ordinal, v1 offset); fails when the table lacks it. */
    private long reverseLookup(SegmentCursor cursor, String symbol) throws CorruptedDataException {
        byte[] target = symbol.getBytes(StandardCharsets.UTF_8);
        int low = 0;
        int high = symbolSamples.length - 1;
        int sample = -1; // last sample <= target
        while (low <= high) {
            int mid = (low + high) >>> 1;
            cursor.window(symbolSamples[mid], symbolsEnd);
            int cmp = cursor.compareString(target);
            if (cmp <= 0) {
                sample = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (sample >= 0) {
            cursor.window(symbolSamples[sample], symbolsEnd);
            int last = Math.min(SAMPLING, symbolCount - sample * SAMPLING);
            for (int i = 0; i < last; i++) {
                long position = cursor.position();
                int cmp = cursor.compareString(target);
                if (cmp == 0) {
                    return version == FORMAT_V2 ? (long) sample * SAMPLING + i : position;
                }
                if (cmp > 0) {
                    break;
                }
            }
        }
        throw cursor.corrupted(toc.symbols, "label name " + symbol + " of the postings offset table is missing from the symbol table");
    }

    private Map<String, NameOffsets> readSampledPostingsTable(SegmentCursor cursor, long entries) throws CorruptedDataException {
        Map<String, NameOffsets> table = new HashMap<>();
        List<String> values = new ArrayList<>();
        long[] offsets = new long[16];
        String name = null;
        long namePosition = -1;
        int nameLength = 0;
        long valuePosition = -1;
        int valueLength = 0;
        long lastEntry = -1;
        boolean lastSampled = false;
        int valueCount = 0;
        for (long e = 0; e < entries; e++) {
            long entry = cursor.position();
            long keys = cursor.uvarint();
            if (keys != 2) {
                throw cursor.corrupted(entry, "postings offset table entry has " + keys + " keys, expected 2");
            }
            int entryNameLength = cursor.length();
            long entryName = cursor.position();
            cursor.skip(entryNameLength);
            int entryValueLength = cursor.length();
            long entryValue = cursor.position();
            cursor.skip(entryValueLength);
            long postingsOffset = cursor.uvarint();
            if (postingsOffset < HEADER_LENGTH || postingsOffset >= tocStart) {
                throw cursor.corrupted(entry, "postings offset " + Long.toUnsignedString(postingsOffset) + " outside the file");
            }
            int nameOrder = name == null ? 1 : compareRegions(entryName, entryNameLength, namePosition, nameLength);
            if (nameOrder < 0 || nameOrder == 0 && compareRegions(entryValue, entryValueLength, valuePosition, valueLength) <= 0) {
                throw cursor.corrupted(entry, "postings offset table is not sorted by label name and value");
            }
            if (nameOrder > 0) {
                if (name != null) {
                    table.put(name, finishName(cursor, values, offsets, lastEntry, lastSampled));
                    values.clear();
                }
                name = string(cursor, entryName, entryNameLength);
                if (table.containsKey(name)) {
                    throw cursor.corrupted(entry, "label name " + name + " appears twice in the postings offset table");
                }
                namePosition = entryName;
                nameLength = entryNameLength;
                valueCount = 0;
            }
            lastSampled = valueCount % SAMPLING == 0;
            if (lastSampled) {
                if (values.size() == offsets.length) {
                    offsets = Arrays.copyOf(offsets, offsets.length * 2);
                }
                offsets[values.size()] = entry;
                values.add(string(cursor, entryValue, entryValueLength));
            }
            lastEntry = entry;
            valuePosition = entryValue;
            valueLength = entryValueLength;
            valueCount++;
        }
        if (cursor.remaining() != 0) {
            throw cursor.corrupted(cursor.position(), "postings offset table has " + cursor.remaining() + " bytes after its " + entries + " entries");
        }
        if (name != null) {
            table.put(name, finishName(cursor, values, offsets, lastEntry, lastSampled));
        }
        return table;
    }

    // the last value of each name is always kept so that lookups past it stop without a scan
    private NameOffsets finishName(SegmentCursor cursor, List<String> values, long[] offsets, long lastEntry, boolean lastSampled)
            throws CorruptedDataException {
        int size = values.size();
        String[] valueArray = values.toArray(new String[size + (lastSampled ? 0 : 1)]);
        long[] offsetArray = Arrays.copyOf(offsets, valueArray.length);
        if (!lastSampled) {
            long resume = cursor.position();
            long limit = cursor.limit();
            cursor.window(lastEntry, limit);
            cursor.uvarint();
            cursor.skipString();
            valueArray[size] = cursor.string();
            offsetArray[size] = lastEntry;
            cursor.window(resume, limit);
        }
        return new NameOffsets(valueArray, offsetArray);
    }

    // v1 tables may be unsorted: hold every entry, sorted per name
    private Map<String, NameOffsets> readWholePostingsTable(SegmentCursor cursor, long entries) throws CorruptedDataException {
        Map<String, Map<String, Long>> byName = new HashMap<>();
        for (long e = 0; e < entries; e++) {
            long entry = cursor.position();
            long keys = cursor.uvarint();
            if (keys != 2) {
                throw cursor.corrupted(entry, "postings offset table entry has " + keys + " keys, expected 2");
            }
            String name = cursor.string();
            String value = cursor.string();
            long postingsOffset = cursor.uvarint();
            if (postingsOffset < HEADER_LENGTH || postingsOffset >= tocStart) {
                throw cursor.corrupted(entry, "postings offset " + Long.toUnsignedString(postingsOffset) + " outside the file");
            }
            byName.computeIfAbsent(name, n -> new HashMap<>()).put(value, postingsOffset);
        }
        if (cursor.remaining() != 0) {
            throw cursor.corrupted(cursor.position(), "postings offset table has " + cursor.remaining() + " bytes after its " + entries + " entries");
        }
        Map<String, NameOffsets> table = new HashMap<>();
        byName.forEach((name, valueOffsets) -> {
            String[] values = valueOffsets.keySet().stream().sorted(Utf8Order::compare).toArray(String[]::new);
            long[] offsets = new long[values.length];
            for (int i = 0; i < values.length; i++) {
                offsets[i] = valueOffsets.get(values[i]);
            }
            table.put(name, new NameOffsets(values, offsets));
        });
        return table;
    }

    /** File offset of the postings list of a label pair, or -1. */
    private long postingsOffset(SegmentCursor cursor, String name, String value) throws CorruptedDataException {
        NameOffsets offsets = postingsTable.get(name);
        if (offsets == null) {
            return -1;
        }
        int index = floor(offsets.values, value);
        if (index < 0) {
            return -1;
        }
        if (version == FORMAT_V1) {
            return offsets.values[index].equals(value) ? offsets.offsets[index] : -1;
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
        cursor.window(offsets.offsets[index], postingsTableEnd);
        for (int i = 0; i <= SAMPLING && cursor.remaining() > 0; i++) {
            cursor.uvarint();
            if (cursor.compareString(nameBytes) != 0) {
                return -1;
            }
            int cmp = cursor.compareString(valueBytes);
            long postingsOffset = cursor.uvarint();
            if (cmp == 0) {
                return postingsOffset;
            }
            if (cmp > 0) {
                return -1;
            }
        }
        return -1;
    }

    /** Index of the last value {@code <= target}, or -1. */
    private static int floor(String[] values, String target) {
        int low = 0;
        int high = values.length - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (Utf8Order.compare(values[mid], target) <= 0) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    /** Walks the values of one label name in table order with the offsets of their postings lists. */
    private final class TableWalk {
        private final NameOffsets offsets;
        private final byte[] name;
        private final SegmentCursor cursor;
        private int index = -1; // v1: position in the in-memory arrays
        String value;
        long postingsOffset;

        TableWalk(String name, NameOffsets offsets) throws CorruptedDataException {
            this(name, offsets, 0);
        }

        /** Starts at the sample {@code start}: values before it are skipped unread. */
        TableWalk(String name, NameOffsets offsets, int start) throws CorruptedDataException {
            this.offsets = offsets;
            this.name = name.getBytes(StandardCharsets.UTF_8);
            this.index = start - 1;
            this.cursor = cursor().window(version == FORMAT_V1 ? 0 : offsets.offsets[start], postingsTableEnd);
        }

        boolean next() throws CorruptedDataException {
            if (version == FORMAT_V1) {
                if (++index >= offsets.values.length) {
                    return false;
                }
                value = offsets.values[index];
                postingsOffset = offsets.offsets[index];
                return true;
            }
            if (cursor.remaining() == 0) {
                return false;
            }
            cursor.uvarint();
            if (cursor.compareString(name) != 0) {
                cursor.seek(cursor.limit());
                return false;
            }
            value = cursor.string();
            postingsOffset = cursor.uvarint();
            return true;
        }
    }

    /** Opens and checks the postings list at {@code offset}: len, #entries, entries, CRC. */
    private Postings postingsAt(SegmentCursor cursor, long offset) throws CorruptedDataException {
        cursor.window(offset, tocStart);
        long length = cursor.be32();
        long count = cursor.be32();
        if (count > Integer.MAX_VALUE || length != 4 + 4 * count || offset + 4 + length + 4 > tocStart) {
            throw cursor.corrupted(offset, "postings list of length " + length + " with " + count + " entries does not fit");
        }
        cursor.checkCrc(offset + 4, offset + 4 + length, "postings list");
        return count == 0 ? Postings.empty() : new SegmentPostings(segment, offset + 8, (int) count);
    }

    private int compareRegions(long a, int aLength, long b, int bLength) {
        int common = Math.min(aLength, bLength);
        long mismatch = MemorySegment.mismatch(segment, a, a + common, segment, b, b + common);
        if (mismatch >= 0) {
            return Integer.compare(segment.get(ValueLayout.JAVA_BYTE, a + mismatch) & 0xFF, segment.get(ValueLayout.JAVA_BYTE, b + mismatch) & 0xFF);
        }
        return Integer.compare(aLength, bLength);
    }

    private static String string(SegmentCursor cursor, long position, int length) throws CorruptedDataException {
        long resume = cursor.position();
        long limit = cursor.limit();
        cursor.seek(position);
        String value = cursor.stringOfLength(length);
        cursor.seek(resume);
        return value;
    }
}
