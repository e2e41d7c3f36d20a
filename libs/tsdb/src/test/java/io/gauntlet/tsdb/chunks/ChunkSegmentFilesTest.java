package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkSegmentFilesTest {
    private static final String BLOCK = "01HBLOCKULID0000000000000";

    @TempDir
    Path directory;

    @Test
    void writesTheDocumentedLayoutAndReadsItBack() throws IOException, StorageException {
        Path chunks = directory.resolve(BLOCK).resolve("chunks");
        byte[] data = xorChunk(3, 0);
        long ref;
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks)) {
            ref = writer.write(ChunkEncoding.XOR, data);
        }
        assertThat(ref).isEqualTo(8);
        byte[] file = Files.readAllBytes(chunks.resolve("000001"));
        assertThat(file).startsWith(0x85, 0xBD, 0x40, 0xDD, 1, 0, 0, 0);
        assertThat(file[8]).isEqualTo((byte) data.length);
        assertThat(file[9]).isEqualTo((byte) 1);
        CRC32C crc = new CRC32C();
        crc.update(file, 9, 1 + data.length);
        int stored = ((file[10 + data.length] & 0xFF) << 24) | ((file[11 + data.length] & 0xFF) << 16)
                | ((file[12 + data.length] & 0xFF) << 8) | (file[13 + data.length] & 0xFF);
        assertThat(stored).isEqualTo((int) crc.getValue());
        assertThat(file).hasSize(8 + 1 + 1 + data.length + 4);

        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            StoredChunk chunk = reader.chunk(ref);
            assertThat(chunk.encoding()).isEqualTo(ChunkEncoding.XOR);
            assertThat(chunk.toByteArray()).isEqualTo(data);
            assertThat(chunk.origin()).isEqualTo(new ChunkOrigin(BLOCK, "chunks/000001", 8));
            XorSampleIterator samples = chunk.samples(null);
            assertThat(samples.next()).isTrue();
            assertThat(samples.timestamp()).isZero();
            assertThat(reader.scanRefs()).containsExactly(8);
        }
    }

    @Test
    void cutsSegmentFilesAtTheSizeLimitAndAddressesChunksInEveryFile() throws IOException, StorageException {
        Path chunks = directory.resolve("chunks");
        List<Long> refs = new ArrayList<>();
        List<byte[]> written = new ArrayList<>();
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks, 1024)) {
            for (int i = 0; i < 100; i++) {
                byte[] data = xorChunk(1 + i % 40, i);
                written.add(data);
                refs.add(writer.write(ChunkEncoding.XOR, data));
            }
            // a chunk bigger than a whole segment still gets a file of its own
            byte[] big = xorChunk(400, 7);
            assertThat(big.length).isGreaterThan(1024);
            written.add(big);
            refs.add(writer.write(ChunkEncoding.XOR, big));
            assertThat(writer.files()).hasSizeGreaterThan(5);
        }
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            assertThat(reader.segmentCount()).isGreaterThan(5);
            for (int i = 0; i < refs.size(); i++) {
                assertThat(reader.chunk(refs.get(i)).toByteArray()).isEqualTo(written.get(i));
            }
            assertThat(reader.scanRefs()).containsExactly(refs.stream().mapToLong(Long::longValue).toArray());
        }
        try (var files = Files.list(chunks)) {
            // every file fits the limit except the one holding only the oversized chunk
            assertThat(files.filter(file -> size(file) > 1024).toList()).hasSize(1);
        }
        assertThat(refs.get(1) >>> 32).isZero();
        assertThat(refs.getLast() >>> 32).isGreaterThan(4);
    }

    @Test
    void refusesToOverwriteExistingSegments() throws IOException {
        Path chunks = directory.resolve("chunks");
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks)) {
            writer.write(ChunkEncoding.XOR, xorChunk(2, 0));
        }
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks)) {
            assertThatThrownBy(() -> writer.write(ChunkEncoding.XOR, xorChunk(2, 0))).isInstanceOf(FileAlreadyExistsException.class);
        }
    }

    @Test
    void flippedByteIsACrcMismatchNamingBlockFileAndOffset() throws IOException, StorageException {
        Path chunks = writeThreeChunks();
        byte[] file = Files.readAllBytes(chunks.resolve("000001"));
        long[] refs = refs(chunks);
        file[(int) refs[1] + 5] ^= 0x10;
        Files.write(chunks.resolve("000001"), file);
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            assertThat(reader.chunk(refs[0]).toByteArray()).isNotEmpty();
            assertThatThrownBy(() -> reader.chunk(refs[1]))
                    .isInstanceOfSatisfying(CorruptedDataException.class, e -> {
                        assertThat(e.block()).isEqualTo(BLOCK);
                        assertThat(e.file()).isEqualTo("chunks/000001");
                        assertThat(e.offset()).isEqualTo(refs[1]);
                    })
                    .hasMessageContaining("CRC32C mismatch");
        }
    }

    @Test
    void truncatedFileIsReportedWithTheChunkOffset() throws IOException, StorageException {
        Path chunks = writeThreeChunks();
        long[] refs = refs(chunks);
        Path file = chunks.resolve("000001");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            assertThatThrownBy(() -> reader.chunk(refs[2])).isInstanceOf(CorruptedDataException.class)
                    .hasMessageContaining("chunks/000001 at offset " + refs[2]).hasMessageContaining("truncated");
            assertThatThrownBy(reader::scanRefs).isInstanceOf(CorruptedDataException.class);
        }
        Files.write(file, java.util.Arrays.copyOf(bytes, 5));
        assertThatThrownBy(() -> ChunkSegmentReader.open(chunks)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("shorter than its 8-byte header");
    }

    @Test
    void wrongMagicOrVersionIsRejectedOnOpen() throws IOException {
        Path chunks = writeThreeChunks();
        Path file = chunks.resolve("000001");
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = 0x12;
        Files.write(file, bytes);
        assertThatThrownBy(() -> ChunkSegmentReader.open(chunks)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining(BLOCK).hasMessageContaining("chunks/000001 at offset 0").hasMessageContaining("bad magic number");
        bytes[0] = (byte) 0x85;
        bytes[4] = 2;
        Files.write(file, bytes);
        assertThatThrownBy(() -> ChunkSegmentReader.open(chunks)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("at offset 4").hasMessageContaining("version 2");
    }

    @Test
    void referencesOutsideTheFilesAreCorruption() throws IOException, StorageException {
        Path chunks = writeThreeChunks();
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            assertThatThrownBy(() -> reader.chunk(1L << 32 | 8)).isInstanceOf(CorruptedDataException.class)
                    .hasMessageContaining("chunks/000002").hasMessageContaining("there are 1");
            assertThatThrownBy(() -> reader.chunk(3)).isInstanceOf(CorruptedDataException.class).hasMessageContaining("outside");
            assertThatThrownBy(() -> reader.chunk(1_000_000)).isInstanceOf(CorruptedDataException.class).hasMessageContaining("outside");
        }
    }

    @Test
    void aMissingSegmentFileIsReported() throws IOException {
        Path chunks = directory.resolve(BLOCK).resolve("chunks");
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks, 64)) {
            for (int i = 0; i < 3; i++) {
                writer.write(ChunkEncoding.XOR, xorChunk(5, i));
            }
        }
        Files.delete(chunks.resolve("000002"));
        assertThatThrownBy(() -> ChunkSegmentReader.open(chunks)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("chunks/000002").hasMessageContaining("missing");
    }

    @Test
    void histogramChunksAreRecognisedButNotDecoded() throws IOException, StorageException {
        Path chunks = directory.resolve("chunks");
        long histogram;
        long floatHistogram;
        long unknown;
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks)) {
            histogram = writer.write(ChunkEncoding.HISTOGRAM, new byte[] {0, 1, 2, 3});
            floatHistogram = writer.write(ChunkEncoding.FLOAT_HISTOGRAM, new byte[] {0, 1, 2, 3});
            unknown = writer.write(ChunkEncoding.XOR, new byte[] {0, 0});
        }
        // rewrite the third chunk's encoding byte to an unknown one, with a matching CRC
        byte[] file = Files.readAllBytes(chunks.resolve("000001"));
        int at = (int) unknown + 1;
        file[at] = 9;
        CRC32C crc = new CRC32C();
        crc.update(file, at, 3);
        int value = (int) crc.getValue();
        file[at + 3] = (byte) (value >>> 24);
        file[at + 4] = (byte) (value >>> 16);
        file[at + 5] = (byte) (value >>> 8);
        file[at + 6] = (byte) value;
        Files.write(chunks.resolve("000001"), file);
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            assertThat(reader.chunk(histogram).encoding()).isEqualTo(ChunkEncoding.HISTOGRAM);
            assertThatThrownBy(() -> reader.chunk(histogram).samples(null)).isInstanceOf(UnsupportedEncodingException.class)
                    .hasMessageContaining("native histogram chunks are not supported");
            assertThatThrownBy(() -> reader.chunk(floatHistogram).samples(null)).isInstanceOf(UnsupportedEncodingException.class)
                    .hasMessageContaining("native histogram chunks are not supported");
            assertThatThrownBy(() -> reader.chunk(unknown)).isInstanceOf(CorruptedDataException.class)
                    .hasMessageContaining("unknown chunk encoding 9");
        }
    }

    @Test
    void closingUnmapsTheFiles() throws IOException, StorageException {
        Path chunks = writeThreeChunks();
        ChunkSegmentReader reader = ChunkSegmentReader.open(chunks);
        StoredChunk chunk = reader.chunk(8);
        reader.close();
        assertThatThrownBy(chunk::toByteArray).isInstanceOf(IllegalStateException.class);
    }

    private Path writeThreeChunks() throws IOException {
        Path chunks = directory.resolve(BLOCK).resolve("chunks");
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(chunks)) {
            for (int i = 0; i < 3; i++) {
                writer.write(ChunkEncoding.XOR, xorChunk(20, i));
            }
        }
        return chunks;
    }

    private static long[] refs(Path chunks) throws IOException {
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(chunks)) {
            return reader.scanRefs();
        } catch (CorruptedDataException e) {
            throw new AssertionError(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] xorChunk(int samples, int seed) {
        XorChunkAppender appender = new XorChunkAppender();
        for (int i = 0; i < samples; i++) {
            appender.append(i * 15_000L, seed * 1000.0 + Math.sqrt(i));
        }
        return appender.toByteArray();
    }
}
