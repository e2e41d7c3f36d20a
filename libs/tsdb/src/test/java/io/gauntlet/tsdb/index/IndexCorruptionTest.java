package io.gauntlet.tsdb.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens and fully walks thousands of damaged copies of a Prometheus-written index: every failure must be a
 * {@link CorruptedDataException} or {@link UnsupportedEncodingException}, and nothing may hang. Half of the
 * mutations repair the checksum of the section they damage, so the decoders behind the CRC checks are exercised too.
 */
class IndexCorruptionTest {
    private static final List<List<LabelMatcher>> QUERIES = List.of(
            List.of(LabelMatcher.regex("job", ".+")),
            List.of(LabelMatcher.notEqual("__name__", "up"), LabelMatcher.regex("method", "GET|POST")),
            List.of(LabelMatcher.equal("region", ""), LabelMatcher.notRegex("instance", "10\\.0\\.1.*")));

    @TempDir
    static Path work;
    static byte[] original;
    static String block;
    /** CRC-protected ranges [start, end) of the original; the CRC follows each range. */
    static List<long[]> protectedRanges = new ArrayList<>();

    @BeforeAll
    static void createBlock() throws Exception {
        PromtoolBlocks.Block made = PromtoolBlocks.create(work, 99, 300);
        original = Files.readAllBytes(made.index());
        block = made.directory().getFileName().toString();
        ByteBuffer bytes = ByteBuffer.wrap(original);
        int tocStart = original.length - 52;
        protectedRanges.add(new long[] {tocStart, tocStart + 48});
        long symbols = bytes.getLong(tocStart);
        protectedRanges.add(new long[] {symbols + 4, symbols + 4 + Integer.toUnsignedLong(bytes.getInt((int) symbols))});
        long table = bytes.getLong(tocStart + 40);
        protectedRanges.add(new long[] {table + 4, table + 4 + Integer.toUnsignedLong(bytes.getInt((int) table))});
        try (IndexReader reader = IndexReader.of(MemorySegment.ofArray(original), block)) {
            for (long id : Postings.toArray(reader.allPostings())) {
                int offset = (int) (id * 16);
                int length = original[offset] & 0x7F; // entries here are shorter than 128 bytes
                if (original[offset] >= 0) {
                    protectedRanges.add(new long[] {offset + 1, offset + 1 + length});
                }
            }
        }
        long postings = bytes.getLong(tocStart + 32);
        protectedRanges.add(new long[] {postings + 4, postings + 4 + Integer.toUnsignedLong(bytes.getInt((int) postings))});
    }

    @Test
    void theOriginalWalksCleanly() throws Exception {
        try (IndexReader reader = IndexReader.of(MemorySegment.ofArray(original), block)) {
            assertThat(walk(reader)).isGreaterThan(300);
        }
    }

    @Test
    void everyDamagedCopyFailsWithATypedErrorOrReadsWithout() {
        assertTimeoutPreemptively(Duration.ofSeconds(100), () -> {
            Random random = new Random(2026);
            List<String> wrongFailures = new ArrayList<>();
            int typed = 0;
            int total = 2400;
            for (int i = 0; i < total; i++) {
                byte[] copy = original.clone();
                String mutation = mutate(random, copy);
                if (mutation.startsWith("truncate")) {
                    copy = Arrays.copyOf(copy, Integer.parseInt(mutation.substring(9)));
                }
                try (IndexReader reader = IndexReader.of(MemorySegment.ofArray(copy), block)) {
                    walk(reader);
                } catch (CorruptedDataException e) {
                    typed++;
                    assertThat(e.block()).isEqualTo(block);
                    assertThat(e.file()).isEqualTo("index");
                } catch (UnsupportedEncodingException e) {
                    typed++;
                } catch (Throwable e) {
                    if (wrongFailures.size() < 5) {
                        java.io.StringWriter trace = new java.io.StringWriter();
                        e.printStackTrace(new java.io.PrintWriter(trace));
                        wrongFailures.add(mutation + ": " + trace);
                    } else {
                        wrongFailures.add(mutation + ": " + e);
                    }
                }
            }
            assertThat(wrongFailures).isEmpty();
            assertThat(typed).as("copies rejected with a typed error").isGreaterThan(total / 2);
        });
    }

    @Test
    void reportsVersionAndMagicPrecisely() {
        byte[] v3 = original.clone();
        v3[4] = 3;
        assertThatThrownBy(() -> IndexReader.of(MemorySegment.ofArray(v3), block)).isInstanceOf(UnsupportedEncodingException.class)
                .hasMessageContaining("version 3");
        byte[] magic = original.clone();
        magic[0] = 0;
        assertThatThrownBy(() -> IndexReader.of(MemorySegment.ofArray(magic), block)).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("magic").extracting(e -> ((CorruptedDataException) e).offset()).isEqualTo(0L);
        assertThatThrownBy(() -> IndexReader.of(MemorySegment.ofArray(new byte[0]), block)).isInstanceOf(CorruptedDataException.class);
    }

    @Test
    void namesTheBlockDirectoryOfADamagedFile() throws Exception {
        Path dir = Files.createDirectories(work.resolve("01HQ0000000000000000000000"));
        Path empty = Files.write(dir.resolve("index"), new byte[0]);
        assertThatThrownBy(() -> IndexReader.open(empty)).isInstanceOfSatisfying(CorruptedDataException.class, e -> {
            assertThat(e.block()).isEqualTo("01HQ0000000000000000000000");
            assertThat(e).hasMessageContaining("01HQ0000000000000000000000").hasMessageContaining("index");
        });
        Files.write(dir.resolve("index"), Arrays.copyOf(original, original.length - 1));
        assertThatThrownBy(() -> IndexReader.open(dir.resolve("index"))).isInstanceOf(CorruptedDataException.class)
                .hasMessageContaining("table of contents");
    }

    @Test
    void rejectsSeriesReferencesOutsideTheSeriesSection() throws Exception {
        try (IndexReader reader = IndexReader.of(MemorySegment.ofArray(original), block)) {
            SeriesEntry entry = new SeriesEntry();
            for (long ref : new long[] {-1, 0, 1, original.length / 16, Long.MAX_VALUE, 1L << 32}) {
                assertThatThrownBy(() -> reader.series(ref, entry)).as("ref " + ref).isInstanceOf(CorruptedDataException.class);
            }
            long first = Postings.toArray(reader.allPostings())[0];
            assertThatThrownBy(() -> reader.series(first + 1, entry)).isInstanceOf(CorruptedDataException.class);
        }
    }

    private static String mutate(Random random, byte[] copy) {
        int kind = random.nextInt(9);
        switch (kind) {
            case 0 -> {
                int flips = 1 + random.nextInt(3);
                StringBuilder where = new StringBuilder("flip bits at");
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(copy.length);
                    copy[at] ^= (byte) (1 << random.nextInt(8));
                    where.append(' ').append(at);
                }
                return where.toString();
            }
            case 1 -> {
                return "truncate " + random.nextInt(copy.length);
            }
            case 2 -> {
                int at = random.nextInt(copy.length);
                copy[at] = (byte) random.nextInt(256);
                return "set byte at " + at;
            }
            case 3 -> {
                copy[random.nextInt(4)] = (byte) random.nextInt(256);
                return "damage magic";
            }
            case 4 -> {
                copy[4] = (byte) random.nextInt(256);
                return "version " + (copy[4] & 0xFF);
            }
            case 5 -> {
                int at = random.nextInt(copy.length - 4);
                ByteBuffer.wrap(copy).putInt(at, random.nextInt(4) == 0 ? -1 : random.nextInt(1 << (1 + random.nextInt(30))));
                return "overwrite int at " + at;
            }
            default -> {
                // damage inside a CRC-protected range and repair its CRC, so the decoders see the damage
                long[] range = protectedRanges.get(random.nextInt(protectedRanges.size()));
                if (range[1] <= range[0]) {
                    return "nothing";
                }
                int at = (int) (range[0] + random.nextInt((int) (range[1] - range[0])));
                if (random.nextBoolean()) {
                    copy[at] = (byte) random.nextInt(256);
                } else if (at + 8 <= range[1]) {
                    ByteBuffer.wrap(copy).putLong(at, random.nextLong() >>> random.nextInt(64));
                } else {
                    copy[at] ^= (byte) 0x80;
                }
                CRC32C crc = new CRC32C();
                crc.update(copy, (int) range[0], (int) (range[1] - range[0]));
                ByteBuffer.wrap(copy).putInt((int) range[1], (int) crc.getValue());
                return "damage with repaired CRC at " + at + " in [" + range[0] + ", " + range[1] + ")";
            }
        }
    }

    /** Reads everything the index offers; returns the number of postings entries seen. */
    private static int walk(IndexReader reader) throws Exception {
        int seen = 0;
        reader.forEachSymbol(symbol -> { });
        SeriesEntry entry = new SeriesEntry();
        for (String name : reader.labelNames()) {
            for (String value : reader.labelValues(name)) {
                Postings postings = reader.postings(name, value);
                while (postings.next()) {
                    seen++;
                }
            }
            reader.symbol(0);
        }
        Postings all = reader.allPostings();
        while (all.next()) {
            reader.series(all.at(), entry);
            entry.labels();
            seen++;
        }
        for (List<LabelMatcher> query : QUERIES) {
            Postings postings = MatcherPostings.postingsForMatchers(reader, query);
            while (postings.next()) {
                reader.series(postings.at(), entry);
                seen++;
            }
            MatcherPostings.labelValues(reader, "job", query);
        }
        return seen;
    }
}
