package io.gauntlet.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LabelStringTableTest {
    private final LabelStringTable table = new LabelStringTable(LabelStringTable.DEFAULT_ENTRIES);

    private String read(String text) throws CharacterCodingException {
        byte[] bytes = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8);
        return table.read(bytes, 2, bytes.length - 4);
    }

    @Test
    void repeatedStringsComeBackAsTheSameInstance() throws Exception {
        String first = read("node_cpu_seconds_total");
        assertThat(read("node_cpu_seconds_total")).isEqualTo("node_cpu_seconds_total").isSameAs(first);
        assertThat(read("日本-ü")).isEqualTo("日本-ü").isSameAs(read("日本-ü"));
        assertThat(read("")).isEmpty();
        assertThat(read("a")).isEqualTo("a");
        String long300 = "x".repeat(300);
        assertThat(read(long300)).isEqualTo(long300);
    }

    @Test
    void manyDistinctAndCollidingStringsStayCorrect() throws Exception {
        // same length, same start, middle and end: the sampled hash collides, the bytes decide
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 40_000; i++) {
                String value = "instance-prefix-" + String.format("%05d", i) + "-middle-part-of-the-value-" + String.format("%05d", i % 7)
                        + "-same-suffix";
                assertThat(read(value)).isEqualTo(value);
                assertThat(read("10.0.0." + i + ":9100")).isEqualTo("10.0.0." + i + ":9100");
            }
        }
    }

    @Test
    void malformedUtf8IsRefusedButAnEncodedReplacementCharacterIsNot() throws Exception {
        assertThat(read("bad \uFFFD char")).isEqualTo("bad \uFFFD char");
        for (byte[] bad : new byte[][] {{'a', (byte) 0xC3, 'b'}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}}) {
            assertThatThrownBy(() -> table.read(bad, 0, bad.length)).isInstanceOf(CharacterCodingException.class);
        }
    }

    @Test
    void aFullOrDisabledTableStillDecodes() throws Exception {
        LabelStringTable small = new LabelStringTable(4);
        LabelStringTable none = new LabelStringTable(0);
        for (int i = 0; i < 100; i++) {
            byte[] bytes = ("value-" + i).getBytes(StandardCharsets.UTF_8);
            assertThat(small.read(bytes, 0, bytes.length)).isEqualTo("value-" + i);
            assertThat(none.read(bytes, 0, bytes.length)).isEqualTo("value-" + i);
        }
        byte[] up = "up".getBytes(StandardCharsets.UTF_8);
        assertThat(none.read(up, 0, 2)).isEqualTo("up").isNotSameAs(none.read(up, 0, 2));
    }
}
