package io.gauntlet.store;

import io.gauntlet.tsdb.XxHash64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.gauntlet.proto.thanos.AggrChunk;
import io.gauntlet.proto.thanos.Chunk;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreWireTest {

    @Test
    void xxHash64MatchesReferenceVectors() {
        assertThat(XxHash64.hash(new byte[0])).isEqualTo(0xEF46DB3751D8E999L);
        assertThat(XxHash64.hash("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xD24EC4F1A98C6E5BL);
        assertThat(XxHash64.hash("abc".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x44BC2CF5AD770999L);
        assertThat(XxHash64.hash("Nobody inspects the spammish repetition".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xFBCEA83C8A378BF1L);
    }

    @Test
    void chunkTypesMapBothWays() throws Exception {
        for (int tsdb = 1; tsdb <= 3; tsdb++) {
            EncodedChunk chunk = new EncodedChunk(5, 10, tsdb, new byte[] {0, 1, 9});
            AggrChunk wire = StoreWire.toWire(chunk, false);
            assertThat(wire.getRaw().getTypeValue()).isEqualTo(tsdb - 1);
            assertThat(StoreWire.fromWire(wire)).usingRecursiveComparison().isEqualTo(chunk);
        }
        assertThatThrownBy(() -> StoreWire.toWire(new EncodedChunk(0, 1, 7, new byte[] {0, 1}), false))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("encoding 7");
        assertThatThrownBy(() -> StoreWire.toWire(new EncodedChunk(0, 1, StoreWire.TSDB_AGGREGATE, new byte[] {5, 1}), false))
                .isInstanceOf(CorruptedDataException.class);
        assertThatThrownBy(() -> StoreWire.fromWire(AggrChunk.newBuilder().setMinTime(1).setMaxTime(2).build()))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("neither raw data nor aggregates");
        // a downsampled native histogram's sum keeps its (float) histogram encoding
        EncodedChunk histogramSum = StoreWire.fromWire(AggrChunk.newBuilder().setSum(Chunk.newBuilder()
                .setType(Chunk.Encoding.FLOAT_HISTOGRAM).setData(ByteString.copyFrom(new byte[] {0, 1}))).build());
        assertThat(io.gauntlet.tsdb.chunks.AggregateChunk.decode(histogramSum.data()).encodingCode(
                io.gauntlet.tsdb.chunks.AggregateType.SUM)).isEqualTo(3);
        assertThatThrownBy(() -> StoreWire.fromWire(AggrChunk.newBuilder().setSum(Chunk.newBuilder()
                .setType(Chunk.Encoding.HISTOGRAM)).build()))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("SUM");
    }

    @Test
    void sampleCountsComeFromChunkHeaders() throws Exception {
        assertThat(StoreWire.sampleCount(FakeChunkSource.realXor(0, 1190, 120, 0))).isEqualTo(120);
        assertThatThrownBy(() -> StoreWire.sampleCount(new EncodedChunk(0, 1, 1, new byte[] {1})))
                .isInstanceOf(CorruptedDataException.class).hasMessageContaining("no sample count header");
    }

    @Test
    void chunkMergeDropsExactDuplicatesAndSplitsOverlaps() {
        EncodedChunk a = new EncodedChunk(0, 10, 1, new byte[] {1});
        EncodedChunk aCopy = new EncodedChunk(0, 10, 1, new byte[] {1});
        EncodedChunk aOther = new EncodedChunk(0, 10, 1, new byte[] {2});
        EncodedChunk b = new EncodedChunk(5, 15, 1, new byte[] {3});
        EncodedChunk c = new EncodedChunk(11, 20, 1, new byte[] {4});

        assertThat(ChunkMerge.withoutDuplicates(List.of(a, aCopy, aOther, b, c))).containsExactly(a, aOther, b, c);
        assertThat(ChunkMerge.splitOverlapping(List.of(a, b, c))).containsExactly(List.of(a, c), List.of(b));
    }

    @Test
    void overlapSplitAsThanosSplitsFourReplicas() {
        // Thanos TestOverlapSplitSet "6_fourreplica": chunks sorted by min time, a chunk joins the first replica whose
        // last chunk ends strictly before it starts
        long[][] ranges = {{0, 20}, {0, 30}, {1, 15}, {2, 36}, {16, 200}, {21, 50}, {31, 60}, {100, 160}};
        List<EncodedChunk> chunks = java.util.Arrays.stream(ranges).map(r -> new EncodedChunk(r[0], r[1], 1, new byte[] {0, 1})).toList();

        List<List<String>> replicas = ChunkMerge.splitOverlapping(chunks).stream()
                .map(list -> list.stream().map(c -> c.minTime() + "-" + c.maxTime()).toList()).toList();

        assertThat(replicas).containsExactly(List.of("0-20", "21-50", "100-160"), List.of("0-30", "31-60"), List.of("1-15", "16-200"),
                List.of("2-36"));
        assertThat(ChunkMerge.splitOverlapping(List.of(new EncodedChunk(50, 55, 1, new byte[] {0}), new EncodedChunk(55, 100, 1, new byte[] {0}))))
                .hasSize(2); // touching at 55 is an overlap
    }
}
