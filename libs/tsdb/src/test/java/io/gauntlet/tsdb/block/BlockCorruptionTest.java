package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.UnsupportedEncodingException;
import io.gauntlet.tsdb.index.Postings;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of damaged copies of a small valid block (fixed seed): flipped bytes, truncations, wrong magics, index
 * version 3, meta.json version 2, missing files, appended garbage. Each is opened and walked completely (samples,
 * chunk series, label names and values). Every failure must be a {@link CorruptedDataException} naming the block and
 * the damaged file, or an {@link UnsupportedEncodingException} naming the block; and a copy that reads without error
 * must read exactly like the original (no silently wrong values), except for meta.json whose fields the walk ignores.
 */
class BlockCorruptionTest {
    private static final long MIN = 1_800_000_000_000L - 1_800_000_000_000L % 7_200_000L;
    private static final long MAX = MIN + 7_200_000L;
    private static final int MUTATIONS = 2500;
    private static final List<String> FILES = List.of("index", "chunks/000001", "meta.json", "tombstones");

    @TempDir
    Path directory;

    @Test
    void everyDamagedCopyFailsTypedNamingBlockAndFileOrReadsLikeTheOriginal() throws Exception {
        Path original = writeBlock();
        String ulid = original.getFileName().toString();
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String file : FILES) {
            files.put(file, Files.readAllBytes(original.resolve(file)));
        }
        String expected = walk(original);
        Path copies = directory.resolve("copies");
        Path copy = copies.resolve(ulid);
        Files.createDirectories(copy.resolve("chunks"));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Files.write(copy.resolve(e.getKey()), e.getValue());
        }
        Random random = new Random(20261127);
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> problems = new ArrayList<>();

        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < MUTATIONS && problems.size() < 20; i++) {
                String file = FILES.get(random.nextInt(FILES.size()));
                Map<String, byte[]> damaged = new LinkedHashMap<>(files);
                String mutation = mutate(random, file, damaged);
                // only the damaged file differs from the pristine copy: write it (or delete it), restore it afterwards
                if (damaged.get(file) == null) {
                    Files.delete(copy.resolve(file));
                } else {
                    Files.write(copy.resolve(file), damaged.get(file));
                }
                String outcome;
                try {
                    String read = walk(copy);
                    outcome = "read";
                    if (!file.equals("meta.json") && !read.equals(expected)) {
                        problems.add(mutation + ": read without error but differently from the original");
                    }
                } catch (CorruptedDataException e) {
                    outcome = "CorruptedDataException " + e.file();
                    if (!e.block().equals(ulid) || !e.getMessage().contains(ulid) || !e.file().equals(file)) {
                        problems.add(mutation + ": names block " + e.block() + " file " + e.file() + ": " + e.getMessage());
                    }
                } catch (UnsupportedEncodingException e) {
                    outcome = e.getClass().getSimpleName();
                    if (!e.getMessage().contains(ulid)) {
                        problems.add(mutation + ": does not name the block: " + e.getMessage());
                    }
                } catch (Throwable e) {
                    outcome = e.getClass().getSimpleName();
                    StringWriter trace = new StringWriter();
                    e.printStackTrace(new PrintWriter(trace));
                    problems.add(mutation + ": " + trace.toString().lines().limit(8).reduce((a, b) -> a + "\n" + b).orElse(""));
                }
                outcomes.merge(outcome, 1, Integer::sum);
                Files.write(copy.resolve(file), files.get(file));
            }
        });
        System.out.println("corruption outcomes over " + MUTATIONS + " damaged copies: " + outcomes);
        assertThat(problems).isEmpty();
        assertThat(outcomes.keySet()).contains("CorruptedDataException index", "CorruptedDataException chunks/000001",
                "CorruptedDataException meta.json", "CorruptedDataException tombstones", "UnsupportedMetaVersionException",
                "UnsupportedEncodingException");
    }

    /** Damages one file of the copy in place and says how. */
    private static String mutate(Random random, String file, Map<String, byte[]> files) {
        byte[] bytes = files.get(file).clone();
        int kind = random.nextInt(100);
        String how;
        if (kind < 55) {
            int flips = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
            StringBuilder at = new StringBuilder();
            for (int f = 0; f < flips; f++) {
                int position = random.nextInt(bytes.length);
                bytes[position] ^= (byte) (1 + random.nextInt(255));
                at.append(position).append(' ');
            }
            how = "flipped bytes at " + at.toString().trim();
        } else if (kind < 75) {
            int length = random.nextInt(bytes.length);
            bytes = Arrays.copyOf(bytes, length);
            how = "truncated to " + length + " bytes";
        } else if (kind < 82) {
            bytes[random.nextInt(Math.min(4, bytes.length))] ^= (byte) (1 + random.nextInt(255));
            how = "damaged magic";
        } else if (kind < 88) {
            switch (file) {
                case "index" -> {
                    bytes[4] = 3;
                    how = "index version 3";
                }
                case "meta.json" -> {
                    bytes = new String(bytes, StandardCharsets.UTF_8).replace("\"version\": 1", "\"version\": 2").getBytes(StandardCharsets.UTF_8);
                    how = "meta.json version 2";
                }
                default -> {
                    bytes[4] = (byte) (2 + random.nextInt(250));
                    how = "format version byte " + (bytes[4] & 0xFF);
                }
            }
        } else if (kind < 94) {
            files.put(file, null);
            return file + ": missing";
        } else {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            byte[] longer = Arrays.copyOf(bytes, bytes.length + garbage.length);
            System.arraycopy(garbage, 0, longer, bytes.length, garbage.length);
            bytes = longer;
            how = "appended " + garbage.length + " garbage bytes";
        }
        files.put(file, bytes);
        return file + ": " + how;
    }

    /** Everything a reader can see of the block, as text. */
    static String walk(Path block) throws IOException, StorageException {
        StringBuilder out = new StringBuilder();
        try (BlockReader reader = BlockReader.open(block)) {
            out.append(reader.labelNames(List.of())).append('\n');
            for (String name : reader.labelNames(List.of())) {
                out.append(name).append(reader.labelValues(name, List.of())).append('\n');
            }
            out.append(reader.labelValues("job", List.of(LabelMatcher.equal(Labels.METRIC_NAME, "m1")))).append('\n');
            appendSamples(out, reader.select(Long.MIN_VALUE, Long.MAX_VALUE, List.of()));
            appendSamples(out, reader.select(MIN + 600_000, MIN + 4_000_000, List.of(LabelMatcher.regex("job", "a|c"),
                    LabelMatcher.notEqual("instance", "i3"))));
            ChunkSeriesSet chunks = reader.selectChunks(MIN, MAX, List.of(LabelMatcher.equal(Labels.METRIC_NAME, "m2")));
            while (chunks.next()) {
                out.append(chunks.labels());
                for (ChunkSeriesSet.EncodedChunk chunk : chunks.chunks()) {
                    out.append(' ').append(chunk.minTime()).append('-').append(chunk.maxTime()).append(':')
                            .append(Base64.getEncoder().encodeToString(chunk.data()));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    private static void appendSamples(StringBuilder out, SeriesSet set) throws StorageException {
        SampleIterator iterator = null;
        while (set.next()) {
            out.append(set.at().labels());
            iterator = set.at().iterator(iterator);
            while (iterator.next()) {
                out.append(' ').append(iterator.timestamp()).append('=').append(Double.doubleToRawLongBits(iterator.value()));
            }
            out.append('\n');
        }
    }

    /** 30 series with one to four chunks each, and a tombstone, so that every file has content worth damaging. */
    private Path writeBlock() throws IOException, StorageException {
        Random random = new Random(5);
        Path parent = directory.resolve("original");
        Path block;
        try (UnsortedBlockWriter writer = UnsortedBlockWriter.create(parent, MIN, MAX)) {
            for (int s = 0; s < 30; s++) {
                Labels labels = Labels.of(Labels.METRIC_NAME, "m" + s % 3, "job", String.valueOf((char) ('a' + s % 4)), "instance", "i" + s);
                int n = 1 + random.nextInt(500);
                long[] ts = new long[n];
                double[] vs = new double[n];
                long t = MIN + random.nextInt(10_000);
                for (int i = 0; i < n; i++) {
                    ts[i] = t;
                    vs[i] = random.nextInt(5) == 0 ? random.nextGaussian() : i;
                    t += 1 + random.nextInt(14_000);
                }
                writer.addSeries(labels, ts, vs, n);
            }
            block = parent.resolve(writer.commit().ulid().toString());
        }
        long ref;
        try (BlockReader reader = BlockReader.open(block)) {
            Postings postings = reader.index().postings("instance", "i4");
            assertThat(postings.next()).isTrue();
            ref = postings.at();
        }
        Tombstones.NONE.with(ref, MIN + 100_000, MIN + 900_000).with(ref + 1, MIN, MIN + 5).writeTo(block);
        return block;
    }
}
