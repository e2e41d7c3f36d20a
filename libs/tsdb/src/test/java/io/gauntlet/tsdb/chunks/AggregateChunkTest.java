package io.gauntlet.tsdb.chunks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregateChunkTest {
    @TempDir
    Path directory;

    @Test
    void encodesThanosLayoutAndDecodesEveryAggregate() throws StorageException {
        Map<AggregateType, byte[]> parts = new EnumMap<>(AggregateType.class);
        for (AggregateType type : AggregateType.values()) {
            parts.put(type, ChunkSegmentFilesTest.xorChunk(10 + type.ordinal(), type.ordinal()));
        }
        byte[] encoded = AggregateChunk.encode(parts);
        // count first: uvarint length, encoding byte 1, data
        assertThat(encoded[0]).isEqualTo((byte) parts.get(AggregateType.COUNT).length);
        assertThat(encoded[1]).isEqualTo((byte) 1);
        AggregateChunk chunk = AggregateChunk.decode(encoded);
        XorSampleIterator iterator = new XorSampleIterator();
        for (AggregateType type : AggregateType.values()) {
            assertThat(chunk.has(type)).isTrue();
            assertThat(chunk.encodingCode(type)).isEqualTo(1);
            assertThat(chunk.toByteArray(type)).isEqualTo(parts.get(type));
            chunk.samples(type, iterator);
            int n = 0;
            while (iterator.next()) {
                n++;
            }
            assertThat(n).isEqualTo(10 + type.ordinal());
        }
    }

    @Test
    void absentAggregatesAreZeroLengthEntries() throws StorageException {
        byte[] sum = ChunkSegmentFilesTest.xorChunk(4, 1);
        byte[] counter = ChunkSegmentFilesTest.xorChunk(5, 2);
        byte[] encoded = AggregateChunk.encode(Map.of(AggregateType.SUM, sum, AggregateType.COUNTER, counter));
        assertThat(encoded[0]).isZero(); // count absent
        AggregateChunk chunk = AggregateChunk.decode(encoded);
        assertThat(chunk.has(AggregateType.COUNT)).isFalse();
        assertThat(chunk.has(AggregateType.SUM)).isTrue();
        assertThat(chunk.has(AggregateType.MIN)).isFalse();
        assertThat(chunk.has(AggregateType.MAX)).isFalse();
        assertThat(chunk.toByteArray(AggregateType.COUNTER)).isEqualTo(counter);
        assertThatThrownBy(() -> chunk.samples(AggregateType.MIN, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("MIN is absent");
        // encoding the same parts again gives the same bytes
        assertThat(AggregateChunk.encode(Map.of(AggregateType.COUNTER, counter, AggregateType.SUM, sum))).isEqualTo(encoded);
    }

    @Test
    void truncatedAggregateChunksAreCorruption() {
        byte[] encoded = AggregateChunk.encode(Map.of(AggregateType.COUNT, ChunkSegmentFilesTest.xorChunk(30, 1)));
        for (int cut = 1; cut < encoded.length - 4; cut++) {
            byte[] truncated = Arrays.copyOf(encoded, cut);
            assertThatThrownBy(() -> AggregateChunk.decode(truncated)).isInstanceOf(CorruptedDataException.class)
                    .hasMessageContaining("aggregate chunk");
        }
    }

    @Test
    void roundTripsThroughASegmentFile() throws IOException, StorageException {
        byte[] encoded = AggregateChunk.encode(Map.of(AggregateType.MAX, ChunkSegmentFilesTest.xorChunk(7, 3)));
        long ref;
        try (ChunkSegmentWriter writer = new ChunkSegmentWriter(directory.resolve("chunks"))) {
            writer.write(ChunkEncoding.XOR, ChunkSegmentFilesTest.xorChunk(3, 0));
            ref = writer.write(ChunkEncoding.AGGREGATE, encoded);
        }
        try (ChunkSegmentReader reader = ChunkSegmentReader.open(directory.resolve("chunks"))) {
            StoredChunk chunk = reader.chunk(ref);
            assertThat(chunk.encoding()).isEqualTo(ChunkEncoding.AGGREGATE);
            assertThatThrownBy(() -> chunk.samples(null)).isInstanceOf(UnsupportedEncodingException.class);
            AggregateChunk aggregate = chunk.aggregate();
            assertThat(aggregate.has(AggregateType.MAX)).isTrue();
            XorSampleIterator max = aggregate.samples(AggregateType.MAX, null);
            assertThat(max.next()).isTrue();
            assertThat(max.value()).isEqualTo(3000.0);
            assertThatThrownBy(() -> reader.chunk(8).aggregate()).isInstanceOf(UnsupportedEncodingException.class);
        }
    }
}
