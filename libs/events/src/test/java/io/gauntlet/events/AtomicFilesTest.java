package io.gauntlet.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path directory;

    @Test
    void aFailedWriteLeavesNoTemporaryFileBehind() throws IOException {
        // the rename fails (a non-empty directory is in the way) as a full disk fails the write: the temporary file goes
        Path target = directory.resolve("event.json");
        Files.createDirectories(target);
        Files.writeString(target.resolve("in-the-way"), "x");

        assertThatThrownBy(() -> AtomicFiles.write(target, "{}".getBytes())).isInstanceOf(IOException.class);

        assertThat(directory.resolve("event.json.tmp")).doesNotExist();
        Path other = directory.resolve("other.json");
        AtomicFiles.write(other, "{}".getBytes());
        assertThat(other).hasContent("{}");
        assertThat(directory.resolve("other.json.tmp")).doesNotExist();
    }
}
