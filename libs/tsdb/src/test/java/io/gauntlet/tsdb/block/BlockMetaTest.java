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
            		"index_stats": {
            			"series_max_size": 100,
            			"chunk_max_size": 200,
            			"series_p90_size": 50
            		},
            		"rewrites": [
            			{
            				"sources": [
            					"01HP0000000000000000000000"
            				]
            			}
            		],
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
        assertThat(meta.thanos().unknownFields()).containsOnlyKeys("rewrites", "thanosExtra");
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
