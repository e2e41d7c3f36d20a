package io.gauntlet.store;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.XxHash64;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import io.gauntlet.tsdb.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes one Series call's {@code storepb.SeriesResponse} bytes straight from the label and chunk bytes an
 * {@link EncodedSeriesSource} hands over, with {@link StoreServer}'s rules: labels named like an external label or a
 * dropped replica label are left out and the external labels merged in (they win), empty label values dropped,
 * chunks outside the time range left out, series without chunks in range not sent, limits counted, chunk hashes
 * when asked, the answer sorted. The bytes equal those of the generated messages (and of
 * {@link EncodedSeriesResponse#seriesField}).
 *
 * <p>A source calls {@link #beginSeries}, {@link #label} for each label, then {@link #chunk} for each chunk; the same
 * labels begun again right away continue the series (a series split over several remote read frames). Label and chunk
 * bytes are copied during the call, so the source may reuse its arrays afterwards.
 *
 * <p>Sources must give series in label order without the external label names (as {@link ChunkSource#series}
 * says); then adding the external labels can only move a series behind a later series that extends it
 * (Thanos issue 6563), so a finished series waits only while the next one extends it. A source out of order fails
 * the call with a clear error. The series limit counts a series once it was read to its end; the decoded path may
 * read one series further ahead while it waits, so with a request {@code limit} it can fail a limit this path meets.
 */
public final class SeriesEncoder {
    static final long MAX_BATCH_BYTES = 1 << 20;
    /** A batch and the series that takes it past {@link #MAX_BATCH_BYTES} (most series are far smaller). */
    private static final int BATCH_READY_BYTES = (1 << 20) + (256 << 10);
    private static final int SERIES_HEADER_ROOM = 6; // field 1's tag and a length of up to 5 bytes
    private static final int SERIES_FIELD_TAG = 1 << 3 | 2; // SeriesResponse.series, also SeriesBatch.series
    private static final int LABELS_TAG = 1 << 3 | 2; // Series.labels
    private static final int CHUNKS_TAG = 2 << 3 | 2; // Series.chunks
    private static final int NAME_TAG = 1 << 3 | 2; // Label.name
    private static final int VALUE_TAG = 2 << 3 | 2; // Label.value
    private static final int MIN_TIME_TAG = 1 << 3; // AggrChunk.min_time
    private static final int MAX_TIME_TAG = 2 << 3; // AggrChunk.max_time
    private static final int RAW_TAG = 3 << 3 | 2; // AggrChunk.raw
    private static final int TYPE_TAG = 1 << 3; // Chunk.type
    private static final int DATA_TAG = 2 << 3 | 2; // Chunk.data
    private static final int HASH_TAG = 3 << 3; // Chunk.hash

    private final byte[][] externalNames; // added labels, sorted
    private final byte[][] externalValues;
    private final byte[][] strippedNames; // external and dropped label names
    private final long minTime;
    private final long maxTime;
    private final StoreLimits limits;
    private final boolean chunkHashes;

    // the labels being handed over: spans (name offset, name length, value offset, value length) into labelArray
    private boolean collecting;
    private byte[] labelArray;
    private int[] spans = new int[64];
    private int spanCount;

    private LabelPairs fed = new LabelPairs(); // kept labels of the series just begun
    private LabelPairs open = new LabelPairs(); // kept labels of the series being written
    private boolean hasOpen;
    private byte[] openBytes = new byte[64 * 1024]; // the open series' field, written after SERIES_HEADER_ROOM
    private int openEnd;
    private int openLabelsEnd;
    private int openChunks;
    private long openSamples;
    private boolean openJoined; // continued by a later part: its chunks are sorted by min time, as when parsed
    private boolean openUnsorted;
    private long[] chunkMinTimes = new long[64];
    private int[] chunkStarts = new int[64];

    private final List<Held> held = new ArrayList<>(); // finished series a later one may still sort before

    private byte[] ready = new byte[256 * 1024]; // finished series in answer order, each a whole field 1
    private int readyStart;
    private int readyEnd;
    private int[] readyEnds = new int[256];
    private int readyFirst;
    private int readyCount;

    private final AtomicInteger unread = new AtomicInteger(); // responses handed out whose bytes gRPC has not read yet
    private int taken;
    private long seriesRead;
    private long samplesRead;
    private boolean finished;

    /** A finished series waiting for the source to move past its extensions. */
    private record Held(byte[] field, LabelPairs source, LabelPairs output) {
    }

    /**
     * @param externalLabels labels added to every series (the replica labels to drop already removed)
     * @param strippedNames  label names left out of the source's labels: the external label names and the dropped ones
     */
    SeriesEncoder(Labels externalLabels, Collection<String> strippedNames, long minTime, long maxTime, StoreLimits limits, boolean chunkHashes) {
        this.externalNames = new byte[externalLabels.size()][];
        this.externalValues = new byte[externalLabels.size()][];
        for (int i = 0; i < externalLabels.size(); i++) {
            externalNames[i] = externalLabels.name(i).getBytes(StandardCharsets.UTF_8);
            externalValues[i] = externalLabels.value(i).getBytes(StandardCharsets.UTF_8);
        }
        TreeSet<String> stripped = new TreeSet<>(strippedNames);
        stripped.addAll(externalLabels.names());
        this.strippedNames = stripped.stream().map(name -> name.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.minTime = minTime;
        this.maxTime = maxTime;
        this.limits = limits;
        this.chunkHashes = chunkHashes;
    }

    /** Starts a series (or continues the previous one, when its labels turn out equal). */
    public void beginSeries() throws StorageException {
        endLabels();
        collecting = true;
        spanCount = 0;
        labelArray = null;
    }

    /** One label of the series begun last, as UTF-8 bytes; all labels of a series from the same array. */
    public void label(byte[] array, int nameOffset, int nameLength, int valueOffset, int valueLength) {
        if (!collecting) {
            throw new IllegalStateException("label outside a series' labels: call beginSeries first");
        }
        if (labelArray != null && labelArray != array) {
            throw new IllegalArgumentException("the labels of one series must come from one array");
        }
        labelArray = array;
        if (spanCount * 4 == spans.length) {
            spans = Arrays.copyOf(spans, spans.length * 2);
        }
        int at = spanCount++ * 4;
        spans[at] = nameOffset;
        spans[at + 1] = nameLength;
        spans[at + 2] = valueOffset;
        spans[at + 3] = valueLength;
    }

    /** A whole series from decoded values (a source that holds {@link Labels}, or a re-chunked answer). */
    public void series(Labels labels, List<EncodedChunk> chunks) throws StorageException {
        beginSeries();
        byte[][] parts = new byte[labels.size() * 2][];
        int total = 0;
        for (int i = 0; i < labels.size(); i++) {
            parts[2 * i] = labels.name(i).getBytes(StandardCharsets.UTF_8);
            parts[2 * i + 1] = labels.value(i).getBytes(StandardCharsets.UTF_8);
            total += parts[2 * i].length + parts[2 * i + 1].length;
        }
        byte[] bytes = new byte[total];
        int at = 0;
        for (int i = 0; i < labels.size(); i++) {
            System.arraycopy(parts[2 * i], 0, bytes, at, parts[2 * i].length);
            System.arraycopy(parts[2 * i + 1], 0, bytes, at + parts[2 * i].length, parts[2 * i + 1].length);
            label(bytes, at, parts[2 * i].length, at + parts[2 * i].length, parts[2 * i + 1].length);
            at += parts[2 * i].length + parts[2 * i + 1].length;
        }
        for (EncodedChunk chunk : chunks) {
            chunk(chunk.minTime(), chunk.maxTime(), chunk.encoding(), chunk.data(), 0, chunk.data().length);
        }
    }

    /**
     * A chunk of the series begun last: its TSDB encoding byte (XOR 1, histogram 2, float histogram 3, or a 0xFF
     * aggregate chunk) and data, passed through undecoded.
     */
    public void chunk(long chunkMinTime, long chunkMaxTime, int encoding, byte[] array, int offset, int length) throws StorageException {
        endLabels();
        if (!hasOpen) {
            throw new IllegalStateException("chunk outside a series: call beginSeries first");
        }
        if (chunkMaxTime < minTime || chunkMinTime > maxTime) {
            return; // not in the asked range
        }
        if (openChunks > 0 && chunkMinTime < chunkMinTimes[openChunks - 1]) {
            openUnsorted = true;
        }
        if (openChunks == chunkStarts.length) {
            chunkStarts = Arrays.copyOf(chunkStarts, openChunks * 2);
            chunkMinTimes = Arrays.copyOf(chunkMinTimes, openChunks * 2);
        }
        chunkStarts[openChunks] = openEnd;
        chunkMinTimes[openChunks] = chunkMinTime;
        if (encoding == StoreWire.TSDB_AGGREGATE) {
            EncodedChunk aggregate = new EncodedChunk(chunkMinTime, chunkMaxTime, encoding, Arrays.copyOfRange(array, offset, offset + length));
            if (limits.maxSamples() > 0) {
                openSamples += StoreWire.sampleCount(aggregate);
            }
            byte[] message = StoreWire.toWire(aggregate, chunkHashes).toByteArray();
            ensureOpen(1 + 5 + message.length);
            openEnd = writeVarint(openBytes, openEnd, CHUNKS_TAG);
            openEnd = writeVarint(openBytes, openEnd, message.length);
            System.arraycopy(message, 0, openBytes, openEnd, message.length);
            openEnd += message.length;
            openChunks++;
            return;
        }
        int type = StoreWire.wireChunkType(encoding);
        if (limits.maxSamples() > 0) {
            if (length < 2) {
                throw new CorruptedDataException("", "chunk", 0, "chunk of " + length + " bytes has no sample count header");
            }
            openSamples += ((array[offset] & 0xFF) << 8) | (array[offset + 1] & 0xFF);
        }
        long hash = chunkHashes ? XxHash64.hash(array, offset, length, 0) : 0;
        int rawSize = (type == 0 ? 0 : 1 + varintSize(type)) + (length == 0 ? 0 : 1 + varintSize(length) + length)
                + (hash == 0 ? 0 : 1 + varintSize(hash));
        int aggrSize = (chunkMinTime == 0 ? 0 : 1 + varintSize(chunkMinTime)) + (chunkMaxTime == 0 ? 0 : 1 + varintSize(chunkMaxTime))
                + 1 + varintSize(rawSize) + rawSize;
        ensureOpen(1 + 5 + aggrSize);
        byte[] out = openBytes;
        int at = openEnd;
        out[at++] = CHUNKS_TAG;
        at = writeVarint(out, at, aggrSize);
        if (chunkMinTime != 0) {
            out[at++] = MIN_TIME_TAG;
            at = writeVarint(out, at, chunkMinTime);
        }
        if (chunkMaxTime != 0) {
            out[at++] = MAX_TIME_TAG;
            at = writeVarint(out, at, chunkMaxTime);
        }
        out[at++] = RAW_TAG;
        at = writeVarint(out, at, rawSize);
        if (type != 0) {
            out[at++] = TYPE_TAG;
            at = writeVarint(out, at, type);
        }
        if (length != 0) {
            out[at++] = DATA_TAG;
            at = writeVarint(out, at, length);
            System.arraycopy(array, offset, out, at, length);
            at += length;
        }
        if (hash != 0) {
            out[at++] = HASH_TAG;
            at = writeVarint(out, at, hash);
        }
        openEnd = at;
        openChunks++;
    }

    /** The end of the source's answer: the last series is finished and everything waiting is released. */
    void finish() throws StorageException {
        if (finished) {
            return;
        }
        endLabels();
        if (hasOpen) {
            closeOpen(null);
        }
        finished = true;
    }

    /**
     * Room for a whole batch before the first series: a batch fills up to {@link #MAX_BATCH_BYTES} before it is taken,
     * and growing to that from the default size allocated 3.5 MB and copied 1.75 MB per batched call (the sidecar's
     * largest cost for batched reads in a profile).
     */
    void reserveBatch() {
        if (readyEnd == 0 && ready.length < BATCH_READY_BYTES) {
            ready = new byte[BATCH_READY_BYTES];
        }
    }

    /** Finished series ready to send. */
    int readyCount() {
        return readyCount;
    }

    /** Bytes of the finished series ready to send. */
    long readyBytes() {
        return readyEnd - readyStart;
    }

    /**
     * Up to {@code maxSeries} ready series as one response: a batch stops after the series that brings it to
     * {@link #MAX_BATCH_BYTES}. The response owns its bytes.
     */
    EncodedSeriesResponse take(int maxSeries, boolean batch) {
        if (readyCount == 0 || maxSeries <= 0) {
            throw new IllegalStateException("no series ready to take");
        }
        int count = 0;
        int end = readyStart;
        while (count < maxSeries && count < readyCount) {
            end = readyEnds[readyFirst + count++];
            if (batch && end - readyStart >= MAX_BATCH_BYTES) {
                break;
            }
        }
        // the response reads the bytes where they are: the buffer is not written over before gRPC read them
        unread.incrementAndGet();
        EncodedSeriesResponse response = EncodedSeriesResponse.ofRange(ready, readyStart, end, batch, unread::decrementAndGet);
        taken = count;
        readyFirst += count;
        readyCount -= count;
        readyStart = end;
        if (readyCount == 0) {
            readyFirst = 0;
        }
        return response;
    }

    /** Series in the response {@link #take} returned last. */
    int taken() {
        return taken;
    }

    /** Closes the labels of the series begun last: it continues the open series, or finishes it and opens itself. */
    private void endLabels() throws StorageException {
        if (!collecting) {
            return;
        }
        collecting = false;
        keptLabels(fed);
        if (hasOpen) {
            int order = fed.compareTo(open);
            if (order == 0) {
                openJoined = true;
                return;
            }
            if (order < 0) {
                throw new StorageException("series " + fed + " comes after " + open + " from the source; the answer cannot be streamed in order");
            }
            closeOpen(fed);
        }
        LabelPairs swap = open;
        open = fed;
        fed = swap;
        hasOpen = true;
        openChunks = 0;
        openSamples = 0;
        openJoined = false;
        openUnsorted = false;
        openEnd = SERIES_HEADER_ROOM;
        writeOutputLabels(open);
        openLabelsEnd = openEnd;
    }

    /** The handed-over labels without stripped names and empty values, sorted by name (the last of equal names wins). */
    private void keptLabels(LabelPairs into) {
        into.clear();
        boolean sorted = true;
        int kept = 0;
        for (int i = 0; i < spanCount; i++) {
            int at = i * 4;
            if (spans[at + 3] == 0 || isStripped(labelArray, spans[at], spans[at + 1])) {
                continue;
            }
            if (kept > 0) {
                int previous = (kept - 1) * 4;
                if (Arrays.compareUnsigned(labelArray, spans[previous], spans[previous] + spans[previous + 1], labelArray, spans[at],
                        spans[at] + spans[at + 1]) >= 0) {
                    sorted = false;
                }
            }
            System.arraycopy(spans, at, spans, kept * 4, 4);
            kept++;
        }
        if (!sorted) {
            kept = sortSpans(kept);
        }
        for (int i = 0; i < kept; i++) {
            int at = i * 4;
            into.add(labelArray, spans[at], spans[at + 1], spans[at + 2], spans[at + 3]);
        }
    }

    /** Stable insertion sort of the first {@code count} spans by name, then only the last of each name; the new count. */
    private int sortSpans(int count) {
        int[] span = new int[4];
        for (int i = 1; i < count; i++) {
            System.arraycopy(spans, i * 4, span, 0, 4);
            int j = i - 1;
            while (j >= 0 && Arrays.compareUnsigned(labelArray, spans[j * 4], spans[j * 4] + spans[j * 4 + 1], labelArray, span[0],
                    span[0] + span[1]) > 0) {
                System.arraycopy(spans, j * 4, spans, (j + 1) * 4, 4);
                j--;
            }
            System.arraycopy(span, 0, spans, (j + 1) * 4, 4);
        }
        int unique = 0;
        for (int i = 0; i < count; i++) {
            boolean sameAsNext = i + 1 < count && Arrays.equals(labelArray, spans[i * 4], spans[i * 4] + spans[i * 4 + 1], labelArray,
                    spans[(i + 1) * 4], spans[(i + 1) * 4] + spans[(i + 1) * 4 + 1]);
            if (!sameAsNext) {
                System.arraycopy(spans, i * 4, spans, unique++ * 4, 4);
            }
        }
        return unique;
    }

    private boolean isStripped(byte[] array, int offset, int length) {
        for (byte[] name : strippedNames) {
            if (name.length == length && Arrays.equals(name, 0, length, array, offset, offset + length)) {
                return true;
            }
        }
        return false;
    }

    /** The series' labels merged with the external labels (which win), as Series.labels fields. */
    private void writeOutputLabels(LabelPairs labels) {
        int e = 0;
        for (int i = 0; i < labels.size(); i++) {
            int order = -1;
            while (e < externalNames.length
                    && (order = Arrays.compareUnsigned(externalNames[e], 0, externalNames[e].length, labels.bytes, labels.nameStart(i), labels.nameEnd(i))) <= 0) {
                writeLabel(externalNames[e], 0, externalNames[e].length, externalValues[e], 0, externalValues[e].length);
                e++;
            }
            if (order != 0) {
                writeLabel(labels.bytes, labels.nameStart(i), labels.nameEnd(i) - labels.nameStart(i), labels.bytes, labels.valueStart(i),
                        labels.valueEnd(i) - labels.valueStart(i));
            }
        }
        for (; e < externalNames.length; e++) {
            writeLabel(externalNames[e], 0, externalNames[e].length, externalValues[e], 0, externalValues[e].length);
        }
    }

    private void writeLabel(byte[] names, int nameOffset, int nameLength, byte[] values, int valueOffset, int valueLength) {
        int size = (nameLength == 0 ? 0 : 1 + varintSize(nameLength) + nameLength) + (valueLength == 0 ? 0 : 1 + varintSize(valueLength) + valueLength);
        ensureOpen(1 + 5 + size);
        byte[] out = openBytes;
        int at = openEnd;
        out[at++] = LABELS_TAG;
        at = writeVarint(out, at, size);
        if (nameLength != 0) {
            out[at++] = NAME_TAG;
            at = writeVarint(out, at, nameLength);
            System.arraycopy(names, nameOffset, out, at, nameLength);
            at += nameLength;
        }
        if (valueLength != 0) {
            out[at++] = VALUE_TAG;
            at = writeVarint(out, at, valueLength);
            System.arraycopy(values, valueOffset, out, at, valueLength);
            at += valueLength;
        }
        openEnd = at;
    }

    /** Finishes the open series: counts it against the limits, then sends or holds it while {@code next} extends it. */
    private void closeOpen(LabelPairs next) throws StorageException {
        hasOpen = false;
        seriesRead++;
        if (limits.maxSeries() > 0 && seriesRead > limits.maxSeries()) {
            throw new StoreLimitExceededException("exceeded series limit: limit " + limits.maxSeries() + " violated (got "
                    + seriesRead + "); raise store.limits.request-series or narrow the query");
        }
        samplesRead += openSamples;
        if (limits.maxSamples() > 0 && samplesRead > limits.maxSamples()) {
            throw new StoreLimitExceededException("exceeded samples limit: limit " + limits.maxSamples() + " violated (got "
                    + samplesRead + "); raise store.limits.request-samples or narrow the query");
        }
        if (openChunks == 0) {
            return; // no data in range: Thanos stores send no empty series
        }
        if (openJoined && openUnsorted) {
            sortOpenChunks();
        }
        int bodyLength = openEnd - SERIES_HEADER_ROOM;
        int start = SERIES_HEADER_ROOM - 1 - varintSize(bodyLength);
        openBytes[start] = SERIES_FIELD_TAG;
        writeVarint(openBytes, start + 1, bodyLength);
        if (held.isEmpty() && (next == null || !open.isPrefixOf(next))) {
            appendReady(openBytes, start, openEnd); // the usual case: nothing later can sort before it
            return;
        }
        Held series = new Held(Arrays.copyOfRange(openBytes, start, openEnd), open.copy(), outputLabels(open));
        int at = held.size();
        while (at > 0 && held.get(at - 1).output().compareTo(series.output()) > 0) {
            at--;
        }
        held.add(at, series);
        while (!held.isEmpty() && (next == null || !held.getFirst().source().isPrefixOf(next))) {
            byte[] field = held.removeFirst().field();
            appendReady(field, 0, field.length);
        }
    }

    /** Puts the open series' chunk fields in ascending min time (stable), as a series joined from parts is parsed. */
    private void sortOpenChunks() {
        Integer[] order = new Integer[openChunks];
        for (int i = 0; i < openChunks; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(chunkMinTimes[a], chunkMinTimes[b]));
        byte[] chunks = Arrays.copyOfRange(openBytes, openLabelsEnd, openEnd);
        int at = openLabelsEnd;
        for (int index : order) {
            int from = chunkStarts[index] - openLabelsEnd;
            int to = (index + 1 < openChunks ? chunkStarts[index + 1] : openEnd) - openLabelsEnd;
            System.arraycopy(chunks, from, openBytes, at, to - from);
            at += to - from;
        }
    }

    private LabelPairs outputLabels(LabelPairs labels) {
        LabelPairs out = new LabelPairs();
        int e = 0;
        for (int i = 0; i < labels.size(); i++) {
            int order = -1;
            while (e < externalNames.length
                    && (order = Arrays.compareUnsigned(externalNames[e], 0, externalNames[e].length, labels.bytes, labels.nameStart(i), labels.nameEnd(i))) <= 0) {
                out.add(externalNames[e], externalValues[e]);
                e++;
            }
            if (order != 0) {
                out.add(labels.bytes, labels.nameStart(i), labels.nameEnd(i) - labels.nameStart(i), labels.valueStart(i),
                        labels.valueEnd(i) - labels.valueStart(i));
            }
        }
        for (; e < externalNames.length; e++) {
            out.add(externalNames[e], externalValues[e]);
        }
        return out;
    }

    private void appendReady(byte[] field, int from, int to) {
        int length = to - from;
        if (readyStart > 0 && readyStart == readyEnd && unread.get() == 0) {
            readyStart = 0; // everything sent and read: start over at the front
            readyEnd = 0;
        }
        if (readyEnd + length > ready.length) {
            if (unread.get() > 0) {
                // a response still reads the front: continue in a new buffer rather than move bytes under it
                byte[] fresh = new byte[Math.max(ready.length, 2 * (readyEnd - readyStart + length))];
                System.arraycopy(ready, readyStart, fresh, 0, readyEnd - readyStart);
                for (int i = readyFirst; i < readyFirst + readyCount; i++) {
                    readyEnds[i] -= readyStart;
                }
                readyEnd -= readyStart;
                readyStart = 0;
                ready = fresh;
            } else if (readyStart > 0) {
                System.arraycopy(ready, readyStart, ready, 0, readyEnd - readyStart);
                for (int i = readyFirst; i < readyFirst + readyCount; i++) {
                    readyEnds[i] -= readyStart;
                }
                readyEnd -= readyStart;
                readyStart = 0;
            }
            if (readyEnd + length > ready.length) {
                ready = Arrays.copyOf(ready, Math.max(ready.length * 2, readyEnd + length));
            }
        }
        if (readyFirst + readyCount == readyEnds.length) {
            if (readyFirst > 0) {
                System.arraycopy(readyEnds, readyFirst, readyEnds, 0, readyCount);
                readyFirst = 0;
            } else {
                readyEnds = Arrays.copyOf(readyEnds, readyEnds.length * 2);
            }
        }
        System.arraycopy(field, from, ready, readyEnd, length);
        readyEnd += length;
        readyEnds[readyFirst + readyCount++] = readyEnd;
    }

    private void ensureOpen(int more) {
        if (openEnd + more > openBytes.length) {
            openBytes = Arrays.copyOf(openBytes, Math.max(openBytes.length * 2, openEnd + more));
        }
    }

    private static int varintSize(long value) {
        return value == 0 ? 1 : (63 - Long.numberOfLeadingZeros(value)) / 7 + 1;
    }

    /** Writes a base-128 varint (negative values take 10 bytes, as protobuf writes int64); the position after it. */
    private static int writeVarint(byte[] out, int at, long value) {
        while ((value & ~0x7FL) != 0) {
            out[at++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[at++] = (byte) value;
        return at;
    }

    /** Label pairs as UTF-8 bytes in one array, compared as {@link Labels} compare (UTF-8 byte order). */
    private static final class LabelPairs implements Comparable<LabelPairs> {
        private byte[] bytes = new byte[256];
        private int[] ends = new int[32]; // name end, value end, per pair
        private int length;
        private int pairs;

        void clear() {
            length = 0;
            pairs = 0;
        }

        int size() {
            return pairs;
        }

        int nameStart(int i) {
            return i == 0 ? 0 : ends[2 * i - 1];
        }

        int nameEnd(int i) {
            return ends[2 * i];
        }

        int valueStart(int i) {
            return ends[2 * i];
        }

        int valueEnd(int i) {
            return ends[2 * i + 1];
        }

        void add(byte[] name, byte[] value) {
            byte[] both = new byte[name.length + value.length];
            System.arraycopy(name, 0, both, 0, name.length);
            System.arraycopy(value, 0, both, name.length, value.length);
            add(both, 0, name.length, name.length, value.length);
        }

        void add(byte[] array, int nameOffset, int nameLength, int valueOffset, int valueLength) {
            if (length + nameLength + valueLength > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + nameLength + valueLength));
            }
            if (2 * pairs + 2 > ends.length) {
                ends = Arrays.copyOf(ends, ends.length * 2);
            }
            System.arraycopy(array, nameOffset, bytes, length, nameLength);
            length += nameLength;
            ends[2 * pairs] = length;
            System.arraycopy(array, valueOffset, bytes, length, valueLength);
            length += valueLength;
            ends[2 * pairs + 1] = length;
            pairs++;
        }

        LabelPairs copy() {
            LabelPairs out = new LabelPairs();
            out.bytes = Arrays.copyOf(bytes, length);
            out.ends = Arrays.copyOf(ends, 2 * pairs);
            out.length = length;
            out.pairs = pairs;
            return out;
        }

        @Override
        public int compareTo(LabelPairs other) {
            int common = Math.min(2 * pairs, 2 * other.pairs);
            for (int i = 0; i < common; i++) {
                int cmp = Arrays.compareUnsigned(bytes, i == 0 ? 0 : ends[i - 1], ends[i], other.bytes, i == 0 ? 0 : other.ends[i - 1], other.ends[i]);
                if (cmp != 0) {
                    return cmp;
                }
            }
            return Integer.compare(pairs, other.pairs);
        }

        /** Whether these pairs are the first pairs of {@code other} (or all of them). */
        boolean isPrefixOf(LabelPairs other) {
            if (pairs > other.pairs || (pairs > 0 && ends[2 * pairs - 1] > other.length)) {
                return false;
            }
            for (int i = 0; i < 2 * pairs; i++) {
                if (ends[i] != other.ends[i]) {
                    return false;
                }
            }
            return Arrays.equals(bytes, 0, length, other.bytes, 0, length);
        }

        @Override
        public String toString() {
            StringBuilder out = new StringBuilder("{");
            for (int i = 0; i < pairs; i++) {
                out.append(i == 0 ? "" : ", ").append(new String(bytes, nameStart(i), nameEnd(i) - nameStart(i), StandardCharsets.UTF_8))
                        .append("=\"").append(new String(bytes, valueStart(i), valueEnd(i) - valueStart(i), StandardCharsets.UTF_8)).append('"');
            }
            return out.append('}').toString();
        }
    }
}
