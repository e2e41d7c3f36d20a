package io.gauntlet.tsdb.index;

import io.gauntlet.tsdb.Labels;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes an index file in format version 2 with the layout Prometheus 2.42 writes: header, symbol table,
 * series (16-byte aligned), label indices, postings (all-postings list first), label offset table, postings
 * offset table, TOC. Call {@link #addSymbol} for every symbol in sorted order, then {@link #addSeries} for every
 * series in label order, then {@link #close()}.
 *
 * <p>Memory stays proportional to the number of symbols and series, not to label occurrences: postings are
 * built after the series by re-reading the series section in batches of label names, as Prometheus does, with
 * primitive arrays only.
 */
public final class IndexWriter implements AutoCloseable {
    private static final int BUFFER_SIZE = 1 << 20;
    private static final int ALL_POSTINGS = -1; // the ("", "") key in the postings entry arrays

    private final Path file;
    private final Path postingsFile;
    private final FileChannel channel;
    private final FileOutput out;
    private final ByteSink sink = new ByteSink(1024);
    private final ByteSink lengthSink = new ByteSink(16);

    private enum Stage { SYMBOLS, SERIES, DONE }

    private Stage stage = Stage.SYMBOLS;
    private boolean failed;

    // symbols: strings by ordinal plus an open-addressing table of ordinals by string
    private String[] symbols = new String[1024];
    private int symbolCount;
    private int[] symbolSlots = new int[2048]; // ordinal + 1, 0 = empty
    private long symbolsStart;

    // series
    private Labels lastSeries;
    private long lastChunkRef;
    private int[] seriesIds = new int[1024];
    private int seriesCount;
    private long maxSeriesSize;
    private int[] nameUses; // by symbol ordinal: how many series carry the label name

    // postings entries in table order: (name ordinal, value ordinal, series count); a list's offset in the
    // postings file is the sum of the sizes before it (12 + 4 bytes per series: always 4-byte aligned)
    private int[] entryNames = new int[256];
    private int[] entryValues = new int[256];
    private int[] entrySizes = new int[256];
    private int entryCount;

    private final long[] toc = new long[6];

    private IndexWriter(Path file) throws IOException {
        this.file = file;
        this.postingsFile = file.resolveSibling(file.getFileName() + "_tmp_p");
        Files.deleteIfExists(file);
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.out = new FileOutput(channel, BUFFER_SIZE);
        sink.putBe32(IndexReader.MAGIC);
        sink.put(IndexReader.FORMAT_V2);
        out.write(sink);
        // symbol table: len and #symbols are patched when the series start
        symbolsStart = out.position();
        toc[0] = symbolsStart;
        out.writeBe64(0);
    }

    /** Creates (replacing) the index file at {@code file}. */
    public static IndexWriter create(Path file) throws IOException {
        return new IndexWriter(file);
    }

    /** Adds the next symbol; symbols must come in strictly ascending UTF-8 byte order. */
    public void addSymbol(String symbol) throws IOException {
        if (stage != Stage.SYMBOLS) {
            throw new IllegalStateException("symbols must be added before the first series");
        }
        if (symbolCount > 0 && Utf8Order.compare(symbols[symbolCount - 1], symbol) >= 0) {
            throw new IllegalArgumentException("symbol " + quote(symbol) + " is not after " + quote(symbols[symbolCount - 1]));
        }
        if (symbolCount == symbols.length) {
            symbols = Arrays.copyOf(symbols, symbolCount * 2);
        }
        symbols[symbolCount++] = symbol;
        if (2 * symbolCount > symbolSlots.length) {
            rehashSymbols(symbolSlots.length * 2);
        } else {
            insertSlot(symbolCount - 1);
        }
        sink.reset();
        sink.putUvarintBytes(symbol.getBytes(StandardCharsets.UTF_8));
        write(sink);
    }

    public void addSymbols(Iterable<String> sortedSymbols) throws IOException {
        for (String symbol : sortedSymbols) {
            addSymbol(symbol);
        }
    }

    public void addSeries(Labels labels, List<ChunkMeta> chunks) throws IOException {
        int count = chunks.size();
        long[] minTimes = new long[count];
        long[] maxTimes = new long[count];
        long[] refs = new long[count];
        for (int i = 0; i < count; i++) {
            ChunkMeta chunk = chunks.get(i);
            minTimes[i] = chunk.minTime();
            maxTimes[i] = chunk.maxTime();
            refs[i] = chunk.ref();
        }
        addSeries(labels, minTimes, maxTimes, refs, count);
    }

    /**
     * Adds the next series (strictly after the previous one in label order) with its first {@code count}
     * chunks: ascending, non-overlapping time ranges and chunk references not below any earlier one.
     */
    public void addSeries(Labels labels, long[] minTimes, long[] maxTimes, long[] refs, int count) throws IOException {
        if (stage == Stage.SYMBOLS) {
            finishSymbols();
        } else if (stage != Stage.SERIES) {
            throw new IllegalStateException("index already closed");
        }
        if (lastSeries == null ? labels.isEmpty() : Utf8Order.compare(labels, lastSeries) <= 0) {
            throw new IllegalArgumentException("out-of-order series " + labels + " after " + lastSeries);
        }
        long lastRef = lastChunkRef;
        for (int i = 0; i < count; i++) {
            if (refs[i] < lastRef) {
                throw new IllegalArgumentException("unsorted chunk reference " + refs[i] + " after " + lastRef + " in series " + labels);
            }
            lastRef = refs[i];
            if (i > 0 && minTimes[i] <= maxTimes[i - 1]) {
                throw new IllegalArgumentException("chunk minTime " + minTimes[i] + " not after previous maxTime " + maxTimes[i - 1] + " in series " + labels);
            }
            if (maxTimes[i] < minTimes[i]) {
                throw new IllegalArgumentException("chunk maxTime " + maxTimes[i] + " before minTime " + minTimes[i] + " in series " + labels);
            }
        }
        sink.reset();
        sink.putUvarint(labels.size());
        for (int i = 0; i < labels.size(); i++) {
            int name = symbolOrdinal(labels.name(i));
            sink.putUvarint(name);
            sink.putUvarint(symbolOrdinal(labels.value(i)));
        }
        for (int i = 0; i < labels.size(); i++) {
            nameUses[symbolOrdinal(labels.name(i))]++;
        }
        sink.putUvarint(count);
        if (count > 0) {
            sink.putVarint(minTimes[0]);
            sink.putUvarint(maxTimes[0] - minTimes[0]);
            sink.putUvarint(refs[0]);
            for (int i = 1; i < count; i++) {
                sink.putUvarint(minTimes[i] - maxTimes[i - 1]);
                sink.putUvarint(maxTimes[i] - minTimes[i]);
                sink.putVarint(refs[i] - refs[i - 1]);
            }
        }
        try {
            out.pad(16);
            long id = out.position() / 16;
            if (id > 0xFFFF_FFFFL) {
                throw new IllegalStateException("index exceeds 64 GiB: series IDs no longer fit 32 bits");
            }
            if (seriesCount == seriesIds.length) {
                seriesIds = Arrays.copyOf(seriesIds, seriesCount * 2);
            }
            seriesIds[seriesCount++] = (int) id;
            lengthSink.reset();
            lengthSink.putUvarint(sink.size());
            out.write(lengthSink);
            out.startChecksum();
            out.write(sink);
            out.writeBe32(out.endChecksum());
            long entrySize = lengthSink.size() + sink.size() + 4L;
            maxSeriesSize = Math.max(maxSeriesSize, (entrySize + 15) / 16 * 16);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        lastSeries = labels;
        lastChunkRef = lastRef;
    }

    public int seriesCount() {
        return seriesCount;
    }

    /** The largest series entry so far in bytes, padding included: the distance from its start to the next entry's. */
    public long maxSeriesSize() {
        return maxSeriesSize;
    }

    /** Writes label indices, postings, the offset tables and the TOC, then closes the file. */
    @Override
    public void close() throws IOException {
        if (stage == Stage.DONE) {
            return;
        }
        try (FileChannel ignored = channel) {
            if (!failed) {
                if (stage == Stage.SYMBOLS) {
                    finishSymbols();
                }
                finish();
            }
        } finally {
            stage = Stage.DONE;
            Files.deleteIfExists(postingsFile);
        }
    }

    // ---- stages ----

    private void finishSymbols() throws IOException {
        long end = out.position();
        if (end - symbolsStart - 4 > 0xFFFF_FFFFL) {
            throw new IllegalStateException("symbol table exceeds 4 GiB");
        }
        out.patchBe32(symbolsStart, end - symbolsStart - 4);
        out.patchBe32(symbolsStart + 4, symbolCount);
        // the checksum covers #symbols, unknown while the entries streamed by: read the table back once
        out.writeBe32(checksumOfFile(symbolsStart + 4, end));
        nameUses = new int[symbolCount];
        stage = Stage.SERIES;
        toc[1] = out.position();
    }

    private long checksumOfFile(long start, long end) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
        for (long position = start; position < end; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
            int n = channel.read(buffer, position);
            if (n <= 0) {
                throw new IOException("short read of " + file + " at " + position);
            }
            buffer.flip();
            crc.update(buffer);
            position += n;
        }
        return crc.getValue();
    }

    private void finish() throws IOException {
        out.flush();
        toc[2] = out.position(); // label indices
        writePostingsFile();
        writeLabelIndices();
        toc[4] = out.position(); // postings
        out.pad(4);
        long postingsStart = out.position();
        try (FileChannel postings = FileChannel.open(postingsFile, StandardOpenOption.READ)) {
            out.append(postings);
        }
        toc[3] = out.position(); // label offset table
        writeLabelOffsetTable();
        toc[5] = out.position(); // postings offset table
        writePostingsOffsetTable(postingsStart);
        out.startChecksum();
        for (long offset : toc) {
            out.writeBe64(offset);
        }
        out.writeBe32(out.endChecksum());
        out.close();
        channel.force(true);
    }

    /** Builds every postings list into a side file, recording the entries of the postings offset table. */
    private void writePostingsFile() throws IOException {
        try (FileChannel postingsChannel = FileChannel.open(postingsFile, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            FileOutput postings = new FileOutput(postingsChannel, BUFFER_SIZE);
            writePostingsList(postings, ALL_POSTINGS, ALL_POSTINGS, seriesIds, 0, seriesCount);

            long seriesEnd = toc[2];
            MemorySegment series = channel.map(FileChannel.MapMode.READ_ONLY, 0, seriesEnd, arena);
            long[] batch = new long[Math.max(seriesCount, 1)];
            int[] names = new int[symbolCount];
            int nameCount = 0;
            for (int ordinal = 0; ordinal < symbolCount; ordinal++) {
                if (nameUses[ordinal] > 0) {
                    names[nameCount++] = ordinal;
                }
            }
            // group label names so that one batch holds at most as many postings as there are series
            for (int first = 0; first < nameCount; ) {
                int last = first;
                long total = nameUses[names[first]];
                while (last + 1 < nameCount && total + nameUses[names[last + 1]] <= seriesCount) {
                    last++;
                    total += nameUses[names[last]];
                }
                writeBatch(postings, series, names, first, last, batch);
                first = last + 1;
            }
            postings.close();
        }
    }

    private void writeBatch(FileOutput postings, MemorySegment series, int[] names, int first, int last, long[] batch) throws IOException {
        int batchSize = last - first + 1;
        int[] batchNames = Arrays.copyOfRange(names, first, last + 1);
        int[] fill = new int[batchSize]; // next free slot per name
        int[] starts = new int[batchSize + 1];
        for (int i = 0; i < batchSize; i++) {
            starts[i + 1] = starts[i] + nameUses[batchNames[i]];
            fill[i] = starts[i];
        }
        int firstName = batchNames[0];
        int lastName = batchNames[batchSize - 1];
        long[] position = new long[1];
        for (int s = 0; s < seriesCount; s++) {
            long id = Integer.toUnsignedLong(seriesIds[s]);
            position[0] = id * 16;
            readUvarint(series, position); // entry length
            long labels = readUvarint(series, position);
            for (long l = 0; l < labels; l++) {
                int name = (int) readUvarint(series, position);
                int value = (int) readUvarint(series, position);
                if (name >= firstName && name <= lastName) {
                    int slot = Arrays.binarySearch(batchNames, name);
                    if (slot >= 0) {
                        batch[fill[slot]++] = (long) value << 32 | id;
                    }
                }
            }
        }
        int[] ids = new int[0];
        for (int i = 0; i < batchSize; i++) {
            Arrays.sort(batch, starts[i], starts[i + 1]);
            for (int from = starts[i]; from < starts[i + 1]; ) {
                int value = (int) (batch[from] >>> 32);
                int to = from;
                while (to < starts[i + 1] && (int) (batch[to] >>> 32) == value) {
                    to++;
                }
                if (ids.length < to - from) {
                    ids = new int[Math.max(to - from, ids.length * 2)];
                }
                for (int k = from; k < to; k++) {
                    ids[k - from] = (int) batch[k];
                }
                writePostingsList(postings, batchNames[i], value, ids, 0, to - from);
                from = to;
            }
        }
    }

    private static long readUvarint(MemorySegment segment, long[] position) {
        long result = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = segment.get(ValueLayout.JAVA_BYTE, position[0]++);
            result |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return result;
            }
        }
    }

    private void writePostingsList(FileOutput postings, int name, int value, int[] ids, int from, int to) throws IOException {
        if (entryCount == entryNames.length) {
            int size = entryCount * 2;
            entryNames = Arrays.copyOf(entryNames, size);
            entryValues = Arrays.copyOf(entryValues, size);
            entrySizes = Arrays.copyOf(entrySizes, size);
        }
        entryNames[entryCount] = name;
        entryValues[entryCount] = value;
        entrySizes[entryCount] = to - from;
        entryCount++;
        postings.writeBe32(4 + 4L * (to - from));
        postings.startChecksum();
        postings.writeBe32(to - from);
        for (int i = from; i < to; i++) {
            postings.writeBe32(Integer.toUnsignedLong(ids[i]));
        }
        postings.writeBe32(postings.endChecksum());
    }

    // label indices: per name, the sorted symbol ordinals of its values (Prometheus 2.42 still writes them)
    private long[] labelIndexOffsets = new long[0];
    private int[] labelIndexNames = new int[0];
    private int labelIndexCount;

    private void writeLabelIndices() throws IOException {
        labelIndexOffsets = new long[entryCount];
        labelIndexNames = new int[entryCount];
        for (int from = 0; from < entryCount; ) {
            int name = entryNames[from];
            int to = from;
            while (to < entryCount && entryNames[to] == name) {
                to++;
            }
            if (name != ALL_POSTINGS) {
                out.pad(4);
                labelIndexNames[labelIndexCount] = name;
                labelIndexOffsets[labelIndexCount++] = out.position();
                int values = to - from;
                out.writeBe32(4 + 4 + 4L * values);
                out.startChecksum();
                out.writeBe32(1);
                out.writeBe32(values);
                for (int i = from; i < to; i++) {
                    out.writeBe32(entryValues[i]);
                }
                out.writeBe32(out.endChecksum());
            }
            from = to;
        }
    }

    private void writeLabelOffsetTable() throws IOException {
        long start = out.position();
        out.writeBe32(0); // length, patched below
        out.startChecksum();
        out.writeBe32(labelIndexCount);
        for (int i = 0; i < labelIndexCount; i++) {
            sink.reset();
            sink.putUvarint(1);
            sink.putUvarintBytes(symbols[labelIndexNames[i]].getBytes(StandardCharsets.UTF_8));
            sink.putUvarint(labelIndexOffsets[i]);
            out.write(sink);
        }
        long crc = out.endChecksum();
        long length = out.position() - start - 4;
        out.writeBe32(crc);
        out.patchBe32(start, length);
    }

    private void writePostingsOffsetTable(long postingsStart) throws IOException {
        long start = out.position();
        out.writeBe32(0); // length, patched below
        out.startChecksum();
        out.writeBe32(entryCount);
        byte[] nameBytes = new byte[0];
        int currentName = Integer.MIN_VALUE;
        long offset = postingsStart;
        for (int i = 0; i < entryCount; i++) {
            if (entryNames[i] != currentName) {
                currentName = entryNames[i];
                nameBytes = currentName == ALL_POSTINGS ? new byte[0] : symbols[currentName].getBytes(StandardCharsets.UTF_8);
            }
            sink.reset();
            sink.putUvarint(2);
            sink.putUvarintBytes(nameBytes);
            sink.putUvarintBytes(entryValues[i] == ALL_POSTINGS ? new byte[0] : symbols[entryValues[i]].getBytes(StandardCharsets.UTF_8));
            sink.putUvarint(offset);
            out.write(sink);
            offset += 12 + 4L * Integer.toUnsignedLong(entrySizes[i]);
        }
        long crc = out.endChecksum();
        long length = out.position() - start - 4;
        if (length > 0xFFFF_FFFFL) {
            throw new IllegalStateException("postings offset table exceeds 4 GiB");
        }
        out.writeBe32(crc);
        out.patchBe32(start, length);
    }

    // ---- symbols ----

    private int symbolOrdinal(String symbol) {
        int mask = symbolSlots.length - 1;
        for (int slot = spread(symbol.hashCode()) & mask; ; slot = (slot + 1) & mask) {
            int entry = symbolSlots[slot];
            if (entry == 0) {
                throw new IllegalArgumentException("symbol " + quote(symbol) + " was not added to the index");
            }
            if (symbols[entry - 1].equals(symbol)) {
                return entry - 1;
            }
        }
    }

    private void insertSlot(int ordinal) {
        int mask = symbolSlots.length - 1;
        int slot = spread(symbols[ordinal].hashCode()) & mask;
        while (symbolSlots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        symbolSlots[slot] = ordinal + 1;
    }

    private void rehashSymbols(int size) {
        symbolSlots = new int[size];
        for (int i = 0; i < symbolCount; i++) {
            insertSlot(i);
        }
    }

    private static int spread(int hash) {
        int mixed = hash * 0x9E3779B1;
        return mixed ^ (mixed >>> 16);
    }

    private void write(ByteSink bytes) throws IOException {
        try {
            out.write(bytes);
        } catch (IOException e) {
            failed = true;
            throw e;
        }
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }

    @Override
    public String toString() {
        return "IndexWriter[" + file + ", " + symbolCount + " symbols, " + seriesCount + " series]";
    }
}
