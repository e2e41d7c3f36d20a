package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class FilesystemBucketTest extends BucketContractTest {
    private Path root;

    @Override
    protected Bucket newBucket() {
        root = temp.resolve("bucket");
        return BucketFactory.create(BucketConfig.filesystem(root));
    }

    @Test
    void objectsAreFilesUnderTheDirectory() throws IOException {
        put("01E/chunks/000001", "chunk");

        assertThat(Files.readString(root.resolve("01E/chunks/000001"))).isEqualTo("chunk");
        assertThat(bucket.name()).isEqualTo("fs: " + root.toRealPath());
    }

    @Test
    void aReaderSeesTheOldOrTheWholeNewObjectNeverHalfOfIt() throws Exception {
        int size = 256 * 1024;
        byte[] as = new byte[size];
        byte[] bs = new byte[size];
        Arrays.fill(as, (byte) 'a');
        Arrays.fill(bs, (byte) 'b');
        put("atomic", "");
        bucket.upload("atomic", new ByteArrayInputStream(as), size);
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<?> writer = executor.submit(() -> {
                for (int i = 0; i < 200; i++) {
                    byte[] data = i % 2 == 0 ? bs : as;
                    bucket.upload("atomic", new ByteArrayInputStream(data), size);
                }
                done.set(true);
            });
            int reads = 0;
            while (!done.get() || reads == 0) {
                byte[] read = readAll(bucket.get("atomic"));
                assertThat(read).hasSize(size);
                byte first = read[0];
                for (byte b : read) {
                    if (b != first) {
                        throw new AssertionError("read a mix of two versions");
                    }
                }
                reads++;
            }
            writer.get();
        } finally {
            executor.shutdownNow();
        }
        assertThat(bucket.list("", true)).as("no temporary files left or listed").containsExactly("atomic");
        try (var files = Files.list(root)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void uploadsInFlightAreHiddenFromListings() throws IOException {
        put("dir/visible", "v");
        Files.writeString(root.resolve("dir/.gauntlet-upload-1234.tmp"), "half");

        assertThat(bucket.list("dir", false)).containsExactly("dir/visible");
        assertThat(bucket.list("", true)).containsExactly("dir/visible");
    }

    @Test
    void namesCannotEscapeTheDirectory() throws IOException {
        Files.writeString(temp.resolve("secret.txt"), "outside");

        assertThatThrownBy(() -> bucket.get("../secret.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("..");
        assertThatThrownBy(() -> bucket.upload("a/../../secret.txt", new ByteArrayInputStream(new byte[1]), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bucket.delete("../secret.txt")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Files.readString(temp.resolve("secret.txt"))).isEqualTo("outside");
    }

    @Test
    void anObjectCannotBeUploadedOverADirectory() {
        put("dir/child", "c");

        assertThatThrownBy(() -> put("dir", "x")).isInstanceOf(BucketException.class).hasMessageContaining("dir");
        assertThat(read("dir/child")).isEqualTo("c");
    }

    @Test
    void anUnusableDirectoryIsABucketException() throws IOException {
        Path file = temp.resolve("plain-file");
        Files.writeString(file, "x");

        assertThatThrownBy(() -> new FilesystemBucket(file))
                .isInstanceOf(BucketException.class)
                .hasMessageContaining("plain-file");
    }
}
