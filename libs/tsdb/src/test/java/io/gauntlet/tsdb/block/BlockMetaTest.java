package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.tsdb.CorruptedDataException;
import io.gauntlet.tsdb.index.PromtoolBlocks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockMetaTest {
    private static final String BLOCK = "01HQ0000000000000000000000";

    /** FORMATS.md §2 as Thanos writes it, plus fields no version of Thanos knows, at every level. */
    private static final String THANOS_META = """
            {
            	"ulid": "01HQ0000000000000000000000",
            	"minTime": 1700000000000,
            	"maxTime": 1700007200000,
            	"stats": {
            		"numSamples": 1200,
            		"numSeries": 10,
            		"numChunks": 10,
            		"numFutureThings": 3
            	},
            	"compaction": {
            		"level": 2,
            		"sources": [
            			"01HP0000000000000000000000",
            			"01HP0000000000000000000001"
            		],
            		"parents": [
            			{
            				"ulid": "01HP0000000000000000000000",
            				"minTime": 1700000000000,
            				"maxTime": 1700003600000,
            				"parentExtra": "kept"
            			}
            		],
            		"compactionExtra": [
            			1,
            			2.5,
            			null
            		]
            	},
            	"version": 1,
            	"thanos": {
            		"labels": {
            			"cluster": "a",
            			"prometheus_replica": "0"
            		},
            		"downsample": {
            			"resolution": 0,
            			"downsampleExtra": true
            		},
            		"source": "sidecar",
            		"segment_files": [
            			"000001"
            		],
            		"files": [
            			{
            				"rel_path": "chunks/000001",
            				"size_bytes": 1234
            			},
            			{
            				"rel_path": "index",
            				"size_bytes": 567,
            				"hash": {
            					"func": "sha256",
            					"value": "abc"
            				}
            			},
            			{
            				"rel_path": "meta.json"
            			}
            		],
            		"rewrites": [
            			{
            				"sources": [
            					"01HP0000000000000000000000"
            				]
            			}
            		],
            		"index_stats": {
            			"series_max_size": 100,
            			"series_p90_size": 50,
            			"chunk_max_size": 200,
            			"series_p1_size": 3
            		},
            		"extensions": {
            			"a": 1,
            			"b": {
            				"c": [
            					true
            				]
            			}
            		},
            		"upload_time": "2024-05-06T07:08:09.12Z",
            		"thanosExtra": {
            			"nested": {
            				"deep": "x<y&z"
            			}
            		}
            	},
            	"topLevelExtra": "kept"
            }
            """;

    @TempDir
    Path work;

    @Test
    void thanosMetaRoundTripsByteForByteWithUnknownFieldsIntact() throws Exception {
        BlockMeta meta = BlockMeta.parse(bytes(THANOS_META), BLOCK);
        assertThat(meta.ulid()).isEqualTo(Ulid.parse(BLOCK));
        assertThat(meta.stats().numSamples()).isEqualTo(1200);
        assertThat(meta.compaction().sources()).hasSize(2);
        assertThat(meta.compaction().parents().getFirst().maxTime()).isEqualTo(1700003600000L);
        assertThat(meta.thanos().labels()).containsExactly(Map.entry("cluster", "a"), Map.entry("prometheus_replica", "0"));
        assertThat(meta.thanos().files()).extracting(BlockMeta.File::relPath).containsExactly("chunks/000001", "index", "meta.json");
        assertThat(meta.thanos().indexStats().seriesMaxSize()).isEqualTo(100);
        assertThat(meta.unknownFields()).containsOnlyKeys("topLevelExtra");
        assertThat(meta.thanos().unknownFields()).containsOnlyKeys("thanosExtra");
        assertThat(meta.thanos().indexStats().seriesP90Size()).isEqualTo(50);
        assertThat(meta.thanos().indexStats().unknownFields()).containsOnlyKeys("series_p1_size");
        assertThat(meta.thanos().rewrites().get(0).get("sources").get(0).textValue()).isEqualTo("01HP0000000000000000000000");
        assertThat(meta.thanos().uploadInstant()).contains(java.time.Instant.parse("2024-05-06T07:08:09.120Z"));
        assertThat(meta.bucketProblems()).isEmpty();

        // Go writes '<' and '&' as \\u003c and \\u0026
        String expected = THANOS_META.replace("x<y&z", "x\\u003cy\\u0026z");
        assertThat(new String(meta.toJson(), StandardCharsets.UTF_8)).isEqualTo(expected);
        assertThat(BlockMeta.parse(meta.toJson(), BLOCK)).isEqualTo(meta);
    }

    @Test
    void readModifyWriteKeepsUnknownFieldsAtEveryLevel() throws Exception {
        Path dir = Files.createDirectories(work.resolve(BLOCK));
        Files.write(dir.resolve("meta.json"), bytes(THANOS_META));
        BlockMeta meta = BlockMeta.read(dir);
        BlockMeta changed = meta.withThanos(meta.thanos().withSource("compactor").withDownsample(300_000))
                .withStats(new BlockMeta.Stats(1, 0, 0, 2, 3, 0, meta.stats().unknownFields()));
        changed.writeTo(dir);
        ObjectMapper json = new ObjectMapper();
        var written = json.readTree(dir.resolve("meta.json").toFile());
        var original = json.readTree(THANOS_META);
        assertThat(written.get("topLevelExtra")).isEqualTo(original.get("topLevelExtra"));
        assertThat(written.get("stats").get("numFutureThings")).isEqualTo(original.get("stats").get("numFutureThings"));
        assertThat(written.get("compaction")).isEqualTo(original.get("compaction"));
        assertThat(written.at("/thanos/downsample/downsampleExtra").booleanValue()).isTrue();
        assertThat(written.at("/thanos/downsample/resolution").longValue()).isEqualTo(300_000);
        assertThat(written.at("/thanos/source").textValue()).isEqualTo("compactor");
        assertThat(written.at("/thanos/files/1/hash")).isEqualTo(original.at("/thanos/files/1/hash"));
        assertThat(written.at("/thanos/rewrites")).isEqualTo(original.at("/thanos/rewrites"));
        assertThat(written.at("/thanos/thanosExtra")).isEqualTo(original.at("/thanos/thanosExtra"));
        assertThat(written.at("/thanos/index_stats/series_p90_size").longValue()).isEqualTo(50);
        assertThat(written.at("/thanos/extensions")).isEqualTo(original.at("/thanos/extensions"));
        assertThat(written.at("/thanos/upload_time")).isEqualTo(original.at("/thanos/upload_time"));
        assertThat(Files.exists(dir.resolve("meta.json.tmp"))).isFalse();
    }

    @Test
    void promtoolMetaRoundTripsByteForByte() throws Exception {
        PromtoolBlocks.Block block = PromtoolBlocks.create(work, 3, 20);
        byte[] original = Files.readAllBytes(block.directory().resolve("meta.json"));
        BlockMeta meta = BlockMeta.read(block.directory());
        assertThat(meta.thanos()).isNull();
        assertThat(meta.compaction().level()).isEqualTo(1);
        assertThat(meta.compaction().sources()).containsExactly(meta.ulid());
        assertThat(meta.ulid().toString()).isEqualTo(block.directory().getFileName().toString());
        assertThat(new String(meta.toJson(), StandardCharsets.UTF_8)).isEqualTo(new String(original, StandardCharsets.UTF_8));
        assertThat(meta.bucketProblems()).singleElement().asString().contains("no thanos section");
        BlockMeta withThanos = meta.withThanos(BlockMeta.Thanos.of(Map.of(), 0, "sidecar"));
        assertThat(withThanos.bucketProblems()).singleElement().asString().contains("labels");
        assertThat(withThanos.withThanos(BlockMeta.Thanos.of(Map.of("replica", "a"), 60_000, "sidecar")).bucketProblems())
                .singleElement().asString().contains("resolution 60000");
    }

    @Test
    void writesAThanosSectionAsThanosDoes() {
        BlockMeta meta = BlockMeta.of(Ulid.parse(BLOCK), 0, 7_200_000, BlockMeta.Stats.of(10, 1, 1),
                        BlockMeta.Compaction.of(1, List.of(Ulid.parse(BLOCK)), List.of()))
                .withThanos(BlockMeta.Thanos.of(Map.of("z", "1", "a", "2"), 0, "sidecar")
                        .withFiles(List.of(BlockMeta.File.of("chunks/000001", 10), BlockMeta.File.of("meta.json", 0))));
        assertThat(new String(meta.toJson(), StandardCharsets.UTF_8)).isEqualTo("""
                {
                	"ulid": "01HQ0000000000000000000000",
                	"minTime": 0,
                	"maxTime": 7200000,
                	"stats": {
                		"numSamples": 10,
                		"numSeries": 1,
                		"numChunks": 1
                	},
                	"compaction": {
                		"level": 1,
                		"sources": [
                			"01HQ0000000000000000000000"
                		]
                	},
                	"version": 1,
                	"thanos": {
                		"labels": {
                			"a": "2",
                			"z": "1"
                		},
                		"downsample": {
                			"resolution": 0
                		},
                		"source": "sidecar",
                		"files": [
                			{
                				"rel_path": "chunks/000001",
                				"size_bytes": 10
                			},
                			{
                				"rel_path": "meta.json"
                			}
                		],
                		"index_stats": {}
                	}
                }
                """);
    }

    @Test
    void writesThanosFieldsInGoStructOrderWhateverTheInputOrder() throws Exception {
        // a meta written by hand in another order: Thanos would write it back in its struct's order
        String shuffled = """
                {"thanos": {"upload_time": "2024-01-02T03:04:05Z", "extensions": {"z": 1, "a": 2}, "index_stats": {"chunk_max_size": 9,
                "series_max_size": 8}, "rewrites": [{"sources": ["01HP0000000000000000000000"]}], "files": [{"rel_path": "index"}],
                "segment_files": ["000001"], "source": "compactor", "downsample": {"resolution": 0}, "labels": {"b": "1", "a": "2"}},
                "version": 1, "compaction": {"level": 1}, "stats": {}, "maxTime": 2, "minTime": 1, "ulid": "01HQ0000000000000000000000"}
                """;
        String written = new String(BlockMeta.parse(bytes(shuffled), BLOCK).toJson(), StandardCharsets.UTF_8);
        assertThat(keysInOrder(written)).containsSubsequence("ulid", "minTime", "maxTime", "stats", "compaction", "version", "thanos",
                "labels", "downsample", "source", "segment_files", "files", "rewrites", "index_stats", "series_max_size", "chunk_max_size",
                "extensions", "a", "z", "upload_time");
        assertThat(written).contains("\"upload_time\": \"2024-01-02T03:04:05Z\"\n\t}\n}\n");
    }

    @Test
    void sortsExtensionKeysAndLabelNamesByBytesAsGoDoes() throws Exception {
        // U+FFFD sorts after U+1F600's surrogates in UTF-16 but before it in UTF-8
        String json = "{\"ulid\": \"" + BLOCK + "\", \"minTime\": 1, \"maxTime\": 2, \"version\": 1, \"thanos\": {\"labels\": {\"x\": \"1\"},"
                + " \"extensions\": {\"\uD83D\uDE00\": 1, \"\uFFFD\": 2}}}";
        String written = new String(BlockMeta.parse(bytes(json), BLOCK).toJson(), StandardCharsets.UTF_8);
        assertThat(written.indexOf("\uFFFD")).isLessThan(written.indexOf("\uD83D\uDE00"));
    }

    @Test
    void uploadTimeIsWrittenAsGoWritesRfc3339Nano() {
        BlockMeta meta = BlockMeta.of(Ulid.parse(BLOCK), 0, 1, BlockMeta.Stats.of(1, 1, 1), BlockMeta.Compaction.of(1, List.of(), List.of()));
        for (var entry : Map.of("2024-05-06T07:08:09Z", "2024-05-06T07:08:09Z", "2024-05-06T07:08:09.100Z", "2024-05-06T07:08:09.1Z",
                "2024-05-06T07:08:09.000000123Z", "2024-05-06T07:08:09.000000123Z").entrySet()) {
            BlockMeta stamped = meta.withThanos(BlockMeta.Thanos.of(Map.of("a", "b"), 0, "sidecar")
                    .withUploadTime(java.time.Instant.parse(entry.getKey())));
            assertThat(new String(stamped.toJson(), StandardCharsets.UTF_8)).contains("\"upload_time\": \"" + entry.getValue() + "\"");
        }
        assertThat(BlockMeta.Thanos.of(Map.of("a", "b"), 0, "sidecar").uploadInstant()).isEmpty();
    }

    @Test
    void goZeroUploadTimeCountsAsUnsetButIsKept() throws Exception {
        String json = "{\"ulid\": \"" + BLOCK + "\", \"minTime\": 1, \"maxTime\": 2, \"version\": 1, \"thanos\": {\"labels\": {\"x\": \"1\"},"
                + " \"upload_time\": \"0001-01-01T00:00:00Z\"}}";
        BlockMeta meta = BlockMeta.parse(bytes(json), BLOCK);
        assertThat(meta.thanos().uploadInstant()).isEmpty();
        assertThat(new String(meta.toJson(), StandardCharsets.UTF_8)).contains("\"upload_time\": \"0001-01-01T00:00:00Z\"");
        assertThatThrownBy(() -> BlockMeta.parse(bytes(json.replace("0001-01-01T00:00:00Z", "yesterday")), BLOCK))
                .isInstanceOf(CorruptedDataException.class).hasMessageContaining("upload_time");
    }

    @Test
    void noDownsampleMarkIsWrittenAsThanosWritesIt() throws Exception {
        NoDownsampleMark mark = NoDownsampleMark.of(Ulid.parse(BLOCK), "", 1700000000, NoDownsampleMark.REASON_MANUAL);
        assertThat(new String(mark.toJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"" + BLOCK + "\",\"version\":1,\"no_downsample_time\":1700000000,\"reason\":\"manual\"}");
        NoDownsampleMark detailed = NoDownsampleMark.of(Ulid.parse(BLOCK), "keep raw", 1, "manual");
        assertThat(NoDownsampleMark.parse(detailed.toJson(), BLOCK)).isEqualTo(detailed);
        assertThatThrownBy(() -> NoDownsampleMark.parse(bytes("{\"id\":\"" + BLOCK + "\",\"version\":2,\"no_downsample_time\":1}"), BLOCK))
                .isInstanceOf(UnsupportedMetaVersionException.class);
    }

    private static List<String> keysInOrder(String json) {
        List<String> keys = new java.util.ArrayList<>();
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("\"([^\"]+)\":").matcher(json);
        while (matcher.find()) {
            keys.add(matcher.group(1));
        }
        return keys;
    }

    @Test
    void rejectsOtherVersionsWithATypedErrorNamingBlockAndFile() {
        assertThatThrownBy(() -> BlockMeta.parse(bytes(THANOS_META.replace("\"version\": 1", "\"version\": 2")), BLOCK))
                .isInstanceOfSatisfying(UnsupportedMetaVersionException.class, e -> {
                    assertThat(e.block()).isEqualTo(BLOCK);
                    assertThat(e.file()).isEqualTo("meta.json");
                    assertThat(e.version()).isEqualTo(2);
                    assertThat(e).hasMessageContaining(BLOCK).hasMessageContaining("meta.json");
                });
        assertThatThrownBy(() -> BlockMeta.parse(bytes("{\"ulid\": \"" + BLOCK + "\", \"minTime\": 0, \"maxTime\": 1}"), BLOCK))
                .isInstanceOf(UnsupportedMetaVersionException.class);
        assertThatThrownBy(() -> BlockMeta.parse(bytes(THANOS_META.replace("\"labels\"", "\"version\": 2, \"labels\"")), BLOCK))
                .isInstanceOf(UnsupportedMetaVersionException.class);
    }

    @Test
    void rejectsMalformedContentWithCorruptedDataException() {
        for (String broken : List.of("", "[]", "{", "{\"version\": 1}", THANOS_META.replace("1700000000000,", "\"soon\","),
                THANOS_META.replace(BLOCK, "not-a-ulid"), THANOS_META.replace("\"a\",", "7,"), THANOS_META.replace("\"level\": 2", "\"level\": 2.5"))) {
            assertThatThrownBy(() -> BlockMeta.parse(bytes(broken), BLOCK)).as(broken.length() > 40 ? broken.substring(0, 40) : broken)
                    .isInstanceOfSatisfying(CorruptedDataException.class, e -> {
                        assertThat(e.block()).isEqualTo(BLOCK);
                        assertThat(e.file()).isEqualTo("meta.json");
                    });
        }
    }

    @Test
    void damagedMetaFilesFailOnlyWithTypedErrors() {
        java.util.Random random = new java.util.Random(17);
        byte[] original = bytes(THANOS_META);
        int rejected = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] copy = original.clone();
            if (random.nextInt(4) == 0) {
                copy = java.util.Arrays.copyOf(copy, random.nextInt(copy.length));
            } else {
                String alphabet = "0123456789{}[]\":,-.eE tfn\\x\u00ff";
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    copy[random.nextInt(copy.length)] = (byte) alphabet.charAt(random.nextInt(alphabet.length()));
                }
            }
            try {
                BlockMeta.parse(copy, BLOCK);
            } catch (CorruptedDataException | UnsupportedMetaVersionException e) {
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(1000);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
