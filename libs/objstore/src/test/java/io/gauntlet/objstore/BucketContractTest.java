package io.gauntlet.objstore;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link Bucket} backend must do, as Thanos' objstore acceptance test expects. A backend's test
 * extends this class and supplies an empty bucket whose multipart threshold (if any) is {@link #partSize()}.
 */
public abstract class BucketContractTest {
    protected Bucket bucket;

    @TempDir
    protected Path temp;

    /** A new, empty bucket for one test. */
    protected abstract Bucket newBucket() throws Exception;

    /** The size above which the backend splits an upload; large-object tests go past it. */
    protected long partSize() {
        return 5L * 1024 * 1024;
    }

    @BeforeEach
    void openBucket() throws Exception {
        bucket = newBucket();
    }

    @AfterEach
    void closeBucket() {
        if (bucket != null) {
            bucket.close();
        }
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    protected void put(String name, String content) {
        byte[] data = bytes(content);
        bucket.upload(name, new ByteArrayInputStream(data), data.length);
    }

    protected static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected String read(String name) {
        return new String(readAll(bucket.get(name)), UTF_8);
    }

    protected String readRange(String name, long offset, long length) {
        return new String(readAll(bucket.getRange(name, offset, length)), UTF_8);
    }

    @Test
    void uploadsAndReadsBackAnObject() {
        put("01ABC/meta.json", "{\"version\":1}");

        assertThat(read("01ABC/meta.json")).isEqualTo("{\"version\":1}");
        assertThat(bucket.exists("01ABC/meta.json")).isTrue();
    }

    @Test
    void uploadsAFile() throws IOException {
        Path file = temp.resolve("index");
        Files.write(file, bytes("index bytes"));

        bucket.upload("01ABC/index", file);

        assertThat(read("01ABC/index")).isEqualTo("index bytes");
    }

    @Test
    void anUploadReplacesTheObject() {
        put("a/obj", "first version, longer");
        put("a/obj", "second");

        assertThat(read("a/obj")).isEqualTo("second");
        assertThat(bucket.attributes("a/obj").size()).isEqualTo(6);
    }

    @Test
    void storesAnEmptyObject() {
        put("empty", "");

        assertThat(read("empty")).isEmpty();
        assertThat(readRange("empty", 0, -1)).isEmpty();
        assertThat(bucket.attributes("empty").size()).isZero();
    }

    @Test
    void readsRanges() {
        put("r/obj", "0123456789");

        assertThat(readRange("r/obj", 0, 3)).isEqualTo("012");
        assertThat(readRange("r/obj", 4, 2)).isEqualTo("45");
        assertThat(readRange("r/obj", 7, -1)).isEqualTo("789");
        assertThat(readRange("r/obj", 0, -1)).isEqualTo("0123456789");
        assertThat(readRange("r/obj", 8, 100)).as("a range past the end is cut at the end").isEqualTo("89");
        assertThat(readRange("r/obj", 3, 0)).isEmpty();
    }

    @Test
    void aRangeStartingBeyondTheEndIsAnError() {
        put("r/obj", "0123456789");

        assertThatThrownBy(() -> readAll(bucket.getRange("r/obj", 11, 5)))
                .isInstanceOf(BucketException.class)
                .isNotInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("r/obj");
    }

    @Test
    void rejectsNegativeRanges() {
        put("r/obj", "0123456789");

        assertThatThrownBy(() -> bucket.getRange("r/obj", -1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bucket.getRange("r/obj", 0, -2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reportsAttributes() {
        Instant before = Instant.now().minusSeconds(5);
        put("attr/obj", "12345");

        ObjectAttributes attributes = bucket.attributes("attr/obj");

        assertThat(attributes.size()).isEqualTo(5);
        assertThat(attributes.lastModified()).isBetween(before, Instant.now().plusSeconds(5));
    }

    @Test
    void aMissingObjectIsNotFoundAndNotAFailure() {
        put("dir/present", "x");

        assertThat(bucket.exists("dir/absent")).isFalse();
        assertThat(bucket.exists("dir")).as("a directory is not an object").isFalse();
        for (var call : List.<Runnable>of(
                () -> bucket.get("dir/absent"),
                () -> bucket.getRange("dir/absent", 0, 1),
                () -> bucket.getRange("dir/absent", 2, -1),
                () -> bucket.attributes("dir/absent"),
                () -> bucket.get("nodir/absent"))) {
            assertThatThrownBy(call::run)
                    .isInstanceOf(ObjectNotFoundException.class)
                    .isInstanceOf(BucketException.class)
                    .hasMessageContaining("absent");
        }
    }

    @Test
    void listsOneLevelWithDirectoriesAndRecursivelyWithObjectsOnly() {
        put("01B/meta.json", "m");
        put("01B/index", "i");
        put("01B/chunks/000001", "c1");
        put("01B/chunks/000002", "c2");
        put("01A/meta.json", "m");
        put("debug/metas/x.json", "d");
        put("top.txt", "t");

        assertThat(bucket.list("", false)).containsExactly("01A/", "01B/", "debug/", "top.txt");
        assertThat(bucket.list("01B", false)).containsExactly("01B/chunks/", "01B/index", "01B/meta.json");
        assertThat(bucket.list("01B/", false)).containsExactly("01B/chunks/", "01B/index", "01B/meta.json");
        assertThat(bucket.list("01B/chunks", false)).containsExactly("01B/chunks/000001", "01B/chunks/000002");
        assertThat(bucket.list("01B", true))
                .containsExactly("01B/chunks/000001", "01B/chunks/000002", "01B/index", "01B/meta.json");
        assertThat(bucket.list("", true)).containsExactly("01A/meta.json", "01B/chunks/000001", "01B/chunks/000002",
                "01B/index", "01B/meta.json", "debug/metas/x.json", "top.txt");
    }

    @Test
    void listingAMissingDirectoryIsEmpty() {
        put("a/b", "x");

        assertThat(bucket.list("nothing-here", false)).isEmpty();
        assertThat(bucket.list("nothing-here/", true)).isEmpty();
        assertThat(bucket.list("a/b/c", false)).isEmpty();
    }

    @Test
    void listsInLexicalOrderAcrossObjectsAndDirectories() {
        put("d/a-b", "x");
        put("d/a/x", "x");
        put("d/a0", "x");

        // "a-b" < "a/" < "a0" as bytes: '-' 0x2d, '/' 0x2f, '0' 0x30
        assertThat(bucket.list("d", false)).containsExactly("d/a-b", "d/a/", "d/a0");
    }

    @Test
    void deletesObjectsAndTheirEmptyDirectoriesDisappearFromListings() {
        put("01C/chunks/000001", "c");
        put("01C/meta.json", "m");

        bucket.delete("01C/chunks/000001");

        assertThat(bucket.exists("01C/chunks/000001")).isFalse();
        assertThat(bucket.list("01C", false)).containsExactly("01C/meta.json");

        bucket.delete("01C/meta.json");
        assertThat(bucket.list("", false)).isEmpty();
    }

    @Test
    void deletingAMissingObjectIsNotAnError() {
        bucket.delete("never/was");

        assertThat(bucket.exists("never/was")).isFalse();
    }

    @Test
    void rejectsNamesThatAreNotRelativeObjectNames() {
        for (String name : List.of("", "/abs", "../escape", "a/../../b", "a/./b", "a//b", "dir/")) {
            assertThatThrownBy(() -> bucket.upload(name, new ByteArrayInputStream(new byte[1]), 1))
                    .as(name).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> bucket.get(name)).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> bucket.list("../up", false)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anUploadWhoseStreamEndsEarlyFailsAndLeavesNoObject() {
        assertThatThrownBy(() -> bucket.upload("short", new ByteArrayInputStream(bytes("abc")), 10))
                .isInstanceOf(BucketException.class)
                .hasMessageContaining("short");

        assertThat(bucket.exists("short")).isFalse();
        assertThat(bucket.list("", true)).isEmpty();
    }

    @Test
    void uploadsAndReadsAnObjectLargerThanOnePart() throws IOException {
        byte[] data = new byte[(int) (2 * partSize() + 12345)];
        new Random(42).nextBytes(data);
        Path file = temp.resolve("big");
        Files.write(file, data);

        bucket.upload("big/from-file", file);
        bucket.upload("big/from-stream", new ByteArrayInputStream(data), data.length);

        assertThat(readAll(bucket.get("big/from-file"))).isEqualTo(data);
        assertThat(readAll(bucket.get("big/from-stream"))).isEqualTo(data);
        assertThat(bucket.attributes("big/from-stream").size()).isEqualTo(data.length);
        long offset = partSize() - 100;
        assertThat(readAll(bucket.getRange("big/from-file", offset, 300)))
                .as("a range across a part boundary")
                .isEqualTo(java.util.Arrays.copyOfRange(data, (int) offset, (int) offset + 300));
    }

    @Test
    void aPrefixedBucketSeesOnlyItsPrefixAsTheRoot() {
        put("outside", "o");
        Bucket prefixed = new PrefixedBucket(bucket, "tenant-a/");

        prefixed.upload("01D/meta.json", new ByteArrayInputStream(bytes("m")), 1);

        assertThat(read("tenant-a/01D/meta.json")).isEqualTo("m");
        assertThat(prefixed.list("", false)).containsExactly("01D/");
        assertThat(prefixed.list("", true)).containsExactly("01D/meta.json");
        assertThat(new String(readAll(prefixed.getRange("01D/meta.json", 0, -1)), UTF_8)).isEqualTo("m");
        assertThat(prefixed.exists("outside")).isFalse();
        assertThatThrownBy(() -> prefixed.get("missing")).isInstanceOf(ObjectNotFoundException.class)
                .hasMessageContaining("missing");
        prefixed.delete("01D/meta.json");
        assertThat(bucket.list("", false)).containsExactly("outside");
    }

    @Test
    void listingsRunAcrossPages() {
        List<String> objects = new ArrayList<>();
        List<String> oneLevel = new ArrayList<>();
        for (int i = 0; i < 30; i++) { // several listing pages where the backend pages (see S3BucketTest)
            String name = String.format("many/%03d", i);
            if (i % 3 == 0) {
                put(name + "/meta.json", "x");
                put(name + "/index", "x");
                objects.add(name + "/index");
                objects.add(name + "/meta.json");
                oneLevel.add(name + "/");
            } else {
                put(name, "x");
                objects.add(name);
                oneLevel.add(name);
            }
        }

        assertThat(bucket.list("many", false)).containsExactlyElementsOf(oneLevel);
        assertThat(bucket.list("many", true)).containsExactlyElementsOf(objects);
    }
}
