package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.gauntlet.query.testing.MemoryChunkSource;
import io.gauntlet.query.testing.StoreFixture;
import io.gauntlet.tsdb.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoints from files in Thanos' --store.sd-files format, re-read when they change. */
class EndpointsFileTest {
    @TempDir
    Path directory;

    @Test
    void yamlAndJsonTargetGroups() {
        assertThat(EndpointsFile.parse("""
                - targets: ['10.0.0.1:10901', 'dns+store-gateway:10901']
                  labels: {ignored: yes}
                - targets:
                    - dnssrv+_grpc._tcp.sidecar
                """)).containsExactly("10.0.0.1:10901", "dns+store-gateway:10901", "dnssrv+_grpc._tcp.sidecar");
        assertThat(EndpointsFile.parse("[{\"targets\": [\"a:1\"]}, {\"targets\": []}]")).containsExactly("a:1");
        assertThat(EndpointsFile.parse("")).isEmpty();
    }

    @Test
    void malformedFilesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> EndpointsFile.parse("targets: [a:1]")).hasMessageContaining("expected a list of target groups");
        assertThatThrownBy(() -> EndpointsFile.parse("- {labels: {a: b}}")).hasMessageContaining("every target group needs a targets list");
        assertThatThrownBy(() -> EndpointsFile.parse("- targets: [nohost]")).hasMessageContaining("endpoint nohost: expected host:port");
        assertThatThrownBy(() -> EndpointsFile.parse("- targets: [a:1")).hasMessageContaining("not YAML or JSON");
    }

    @Test
    void endpointsComeAndGoWithTheFile() throws Exception {
        StoreFixture first = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("site", "first")));
        StoreFixture second = StoreFixture.serve(new MemoryChunkSource("store", Labels.of("site", "second")));
        Path file = directory.resolve("endpoints.yaml");
        replace(file, "- targets: ['" + first.address() + "']\n");
        AtomicInteger changes = new AtomicInteger();
        AtomicReference<EndpointSet> set = new AtomicReference<>();
        // the periodic re-read is an hour away: only the file watch can notice the changes in time
        try (EndpointsFile endpointsFile = new EndpointsFile(List.of(file), Duration.ofHours(1), () -> {
                changes.incrementAndGet();
                set.get().refreshSoon();
            });
                // a generous Info timeout: with refreshes an hour apart, one Info slowed by a busy machine would never be retried
                EndpointSet endpoints = new EndpointSet(List.of(), endpointsFile::specs, new QuerierLoopGuard(), Duration.ofSeconds(10),
                        Duration.ofSeconds(15), Duration.ofMinutes(5))) {
            set.set(endpoints);
            endpointsFile.start();
            endpoints.start(Duration.ofHours(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> names(endpoints).equals(List.of(first.address())));

            replace(file, "- targets: ['" + first.address() + "', '" + second.address() + "']\n");
            await().atMost(Duration.ofSeconds(20)).until(() -> names(endpoints).equals(List.of(first.address(), second.address())));

            replace(file, "[{\"targets\": [\"" + second.address() + "\"]}]");
            await().atMost(Duration.ofSeconds(20)).until(() -> names(endpoints).equals(List.of(second.address())));
            assertThat(endpoints.statuses()).hasSize(1); // gone from the file: dropped at once, not kept as unhealthy

            // a broken file keeps the last good targets and says why
            replace(file, "- targets: [broken");
            await().atMost(Duration.ofSeconds(20)).until(() -> endpointsFile.lastError().contains("not YAML or JSON"));
            assertThat(endpointsFile.specs()).containsExactly(second.address());
            assertThat(changes.get()).isGreaterThanOrEqualTo(2);
        } finally {
            first.close();
            second.close();
        }
    }

    /** Writes the file as Kubernetes updates a mounted ConfigMap: the new content appears at once, never half-written. */
    private static void replace(Path file, String content) throws java.io.IOException {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static List<String> names(EndpointSet endpoints) {
        return endpoints.healthy().stream().map(e -> e.client().name()).toList();
    }
}
