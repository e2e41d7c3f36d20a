package io.gauntlet.shipper;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShipperStateTest {
    @TempDir
    Path tsdb;

    @Test
    void writesThanosFormatAtomicallyAndReadsItBack() throws IOException {
        ShipperState state = new ShipperState(1, List.of("01HZX0000000000000000000AA", "01HZX0000000000000000000AB"));
        state.write(tsdb);
        assertThat(Files.readString(tsdb.resolve(ShipperState.FILE))).isEqualTo(
                "{\n\t\"version\": 1,\n\t\"uploaded\": [\n\t\t\"01HZX0000000000000000000AA\",\n\t\t\"01HZX0000000000000000000AB\"\n\t]\n}\n");
        assertThat(ShipperState.read(tsdb)).isEqualTo(state);
        assertThat(tsdb.resolve(ShipperState.FILE + ".tmp")).doesNotExist();
    }

    @Test
    void emptyStateIsWrittenAsThanosWritesANilList() throws IOException {
        ShipperState.EMPTY.write(tsdb);
        assertThat(Files.readString(tsdb.resolve(ShipperState.FILE))).isEqualTo("{\n\t\"version\": 1,\n\t\"uploaded\": null\n}\n");
        assertThat(ShipperState.read(tsdb)).isEqualTo(ShipperState.EMPTY);
    }

    @Test
    void missingOrUnusableFileIsTheEmptyState() throws IOException {
        assertThat(ShipperState.read(tsdb)).isEqualTo(ShipperState.EMPTY);
        Files.writeString(tsdb.resolve(ShipperState.FILE), "{\"version\":2,\"uploaded\":[]}");
        assertThat(ShipperState.read(tsdb)).isEqualTo(ShipperState.EMPTY);
        Files.writeString(tsdb.resolve(ShipperState.FILE), "{\"vers");
        assertThat(ShipperState.read(tsdb)).isEqualTo(ShipperState.EMPTY);
    }

    @Test
    void parseNamesWhatIsWrong() {
        assertThatThrownBy(() -> ShipperState.parse("{\"version\":1,\"uploaded\":{}}".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'uploaded' is not a list");
        assertThatThrownBy(() -> ShipperState.parse("[]".getBytes(UTF_8))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> ShipperState.parse("{\"version\":3}".getBytes(UTF_8))).hasMessageContaining("unexpected version 3");
    }
}
