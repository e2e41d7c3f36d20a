package io.gauntlet.shipper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.BucketConfig;
import io.gauntlet.objstore.BucketFactory;
import io.gauntlet.objstore.S3Config;
import io.gauntlet.objstore.S3ProxyFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipper process killed with SIGKILL in the middle of uploading a large block, then restarted: the block is
 * completed, a reader polling the bucket the whole time never saw its meta.json without all its files, and the state
 * file is consistent at every step.
 */
class ShipperKillTest {
    @TempDir
    Path work;

    @Test
    void sigkillMidUploadThenRestartCompletesTheBlock() throws Exception {
        Path made = Files.createDirectories(work.resolve("made"));
        Path small = TsdbBlocks.randomBlock(made, TsdbBlocks.START, 5, 512 * 1024);
        // ~16 MB of chunks in 1 MiB segments: many objects, so the kill lands between two of them
        Path large = TsdbBlocks.randomBlock(made, TsdbBlocks.START + TsdbBlocks.BLOCK, 250, 1024 * 1024);
        String smallUlid = small.getFileName().toString();
        String largeUlid = large.getFileName().toString();
        Path tsdb = Files.createDirectories(work.resolve("tsdb"));
        TsdbBlocks.install(small, tsdb);
        TsdbBlocks.install(large, tsdb);

        S3ProxyFixture s3 = S3ProxyFixture.shared();
        S3Config s3Config = s3.newBucket("shipper-kill");
        Path objstore = work.resolve("objstore.yaml");
        Files.writeString(objstore, "type: S3\nconfig:\n  bucket: " + s3Config.bucket() + "\n  endpoint: " + s3.endpoint()
                + "\n  access_key: " + s3.accessKey() + "\n  secret_key: " + s3.secretKey() + "\n  insecure: true\n");

        List<String> seenIncomplete = new CopyOnWriteArrayList<>();
        try (Bucket bucket = BucketFactory.create(BucketConfig.s3(s3Config))) {
            Thread reader = Thread.ofPlatform().daemon().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        seenIncomplete.addAll(BucketBlocks.incompleteVisibleBlocks(bucket));
                    } catch (RuntimeException e) {
                        // a listing raced with an upload; the next round looks again
                    }
                }
            });
            Process first = startShipper(tsdb, objstore, work.resolve("first.log"));
            try {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(5))
                        .until(() -> bucket.list(largeUlid + "/chunks", true).size() >= 2);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("the shipper process did not upload the large block; its output:\n"
                        + Files.readString(work.resolve("first.log")), e);
            } finally {
                first.destroyForcibly(); // SIGKILL
                first.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(bucket.exists(largeUlid + "/meta.json")).as("killed before the large block's meta.json").isFalse();
            assertThat(bucket.list(largeUlid + "/chunks", true).size()).as("killed mid-upload").isLessThan(countChunks(large));
            assertThat(ShipperState.read(tsdb).uploaded()).containsExactly(smallUlid);

            Process second = startShipper(tsdb, objstore, work.resolve("second.log"));
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> bucket.exists(largeUlid + "/meta.json"));
                await().atMost(Duration.ofSeconds(30)).until(() -> ShipperState.read(tsdb).uploaded().size() == 2);
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
                reader.interrupt();
                reader.join(10_000);
            }
            assertThat(ShipperState.read(tsdb).uploaded()).containsExactly(smallUlid, largeUlid);
            assertThat(BucketBlocks.incompleteVisibleBlocks(bucket)).isEmpty();
            assertThat(seenIncomplete).isEmpty();
            assertThat(bucket.list(largeUlid + "/chunks", true)).hasSize(countChunks(large));
        }
    }

    private static int countChunks(Path block) throws Exception {
        try (var files = Files.list(block.resolve("chunks"))) {
            return (int) files.count();
        }
    }

    private static Process startShipper(Path tsdb, Path objstore, Path log) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx256m", "-Daws.disableEc2Metadata=true",
                "-cp", System.getProperty("java.class.path"), ShipperProcessMain.class.getName(),
                tsdb.toString(), objstore.toString(), "cluster=kill,prometheus_replica=0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
