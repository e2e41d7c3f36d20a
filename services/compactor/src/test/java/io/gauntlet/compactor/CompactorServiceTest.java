package io.gauntlet.compactor;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The service as users run it: HA replicas' blocks in a bucket → one vertically compacted block per range, metrics and health. */
@QuarkusTest
@QuarkusTestResource(value = CompactorTestEnvironment.class, restrictToAnnotatedClass = true)
class CompactorServiceTest {
    private static final long HOUR = 3_600_000L;

    @Test
    void compactsHaReplicasInTheBucketAndReportsMetrics() throws Exception {
        given().get("/-/healthy").then().statusCode(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> given().get("/-/ready").statusCode() == 200);

        for (String replica : List.of("0", "1")) {
            for (int i = 0; i < 2; i++) {
                TestBuckets.upload(CompactorTestEnvironment.bucket, i * 2 * HOUR, (i + 1) * 2 * HOUR, Map.of("cluster", "svc", "replica", replica), i);
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> metric("thanos_compact_group_compactions_total") >= 2);
        String metrics = given().get("/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("thanos_compact_halted").contains("thanos_compact_blocks_marked_total");
        long marks;
        try (Stream<Path> files = Files.walk(CompactorTestEnvironment.bucket)) {
            marks = files.filter(file -> file.getFileName().toString().equals("deletion-mark.json")).count();
        }
        assertThat(marks).isEqualTo(4);
    }

    private static double metric(String name) {
        String body = given().get("/metrics").then().extract().asString();
        return body.lines().filter(line -> line.startsWith(name)).mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
