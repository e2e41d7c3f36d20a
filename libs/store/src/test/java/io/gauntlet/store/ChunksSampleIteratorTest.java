package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.chunks.AggregateChunk;
import io.gauntlet.tsdb.chunks.AggregateType;
import io.gauntlet.tsdb.storage.ChunkSeriesSet.EncodedChunk;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunksSampleIteratorTest {
    private final List<EncodedChunk> chunks = List.of(FakeChunkSource.realXor(0, 20, 3, 0), FakeChunkSource.realXor(30, 50, 3, 10),
            FakeChunkSource.realXor(60, 80, 3, 20));

    @Test
    void walksChunksInOrder() throws Exception {
        assertThat(ArraySamples.drain(new ChunksSampleIterator(chunks, null)))
                .containsExactly("0=0", "10=1", "20=2", "30=10", "40=11", "50=12", "60=20", "70=21", "80=22");
    }

    @Test
    void seekSkipsWholeChunksAndNeverGoesBack() throws Exception {
        ChunksSampleIterator iterator = new ChunksSampleIterator(chunks, null);

        assertThat(iterator.seek(45)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(50);
        assertThat(iterator.seek(5)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(50);
        assertThat(iterator.seek(51)).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(60);
        assertThat(iterator.next()).isTrue();
        assertThat(iterator.timestamp()).isEqualTo(70);
        assertThat(iterator.seek(81)).isFalse();
        assertThat(iterator.next()).isFalse();
    }

    @Test
    void readsOneAggregateOfDownsampledChunks() throws Exception {
        byte[] aggregate = AggregateChunk.encode(Map.of(AggregateType.COUNT, FakeChunkSource.realXor(0, 20, 3, 5).data(),
                AggregateType.SUM, FakeChunkSource.realXor(0, 20, 3, 100).data()));
        List<EncodedChunk> downsampled = List.of(new EncodedChunk(0, 20, StoreWire.TSDB_AGGREGATE, aggregate));

        assertThat(ArraySamples.drain(new ChunksSampleIterator(downsampled, AggregateType.SUM))).containsExactly("0=100", "10=101", "20=102");
        assertThatThrownBy(() -> ArraySamples.drain(new ChunksSampleIterator(downsampled, AggregateType.MAX)))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("no MAX aggregate");
        assertThatThrownBy(() -> ArraySamples.drain(new ChunksSampleIterator(downsampled, null)))
                .isInstanceOf(UnsupportedEncodingException.class).hasMessageContaining("encoding 255");
    }
}
