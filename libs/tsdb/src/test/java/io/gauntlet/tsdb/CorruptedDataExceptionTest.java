package io.gauntlet.tsdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.CorruptedDataException.Kind;
import org.junit.jupiter.api.Test;

/** The kind of damage a reader's wording states, for metrics and marker reasons. */
class CorruptedDataExceptionTest {
    @Test
    void theReadersWordingNamesTheKind() {
        assertThat(kind("chunk CRC32C mismatch: stored 0x1, computed 0x2")).isEqualTo(Kind.CHECKSUM);
        assertThat(kind("series entry checksum mismatch")).isEqualTo(Kind.CHECKSUM);
        assertThat(kind("chunk of 90 bytes runs past the end of the file (100 bytes): truncated")).isEqualTo(Kind.TRUNCATED);
        assertThat(kind("segment file of 3 bytes is shorter than its 8-byte header")).isEqualTo(Kind.TRUNCATED);
        assertThat(kind("file is missing")).isEqualTo(Kind.MISSING_FILE);
        assertThat(kind("unknown chunk encoding 9")).isEqualTo(Kind.UNKNOWN_ENCODING);
        assertThat(kind("series claims 7 labels in 3 bytes")).isEqualTo(Kind.DECODE);
    }

    @Test
    void anExplicitKindWinsAndTheMessageNamesBlockFileAndOffset() {
        CorruptedDataException e = new CorruptedDataException("01ABC", "index", 12, "odd", Kind.UNKNOWN_ENCODING, null);
        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_ENCODING);
        assertThat(e.kind().label()).isEqualTo("unknown_encoding");
        assertThat(e.problem()).isEqualTo("odd");
        assertThat(e.getMessage()).isEqualTo("corrupted block 01ABC: index at offset 12: odd");
    }

    private static Kind kind(String problem) {
        return new CorruptedDataException("b", "f", 0, problem).kind();
    }
}
