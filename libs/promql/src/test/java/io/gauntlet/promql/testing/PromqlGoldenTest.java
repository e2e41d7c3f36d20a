package io.gauntlet.promql.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Prometheus 2.42's own PromQL test files ({@code ../shared/promql-testdata-v2.42}) against this engine: one dynamic
 * test per eval statement, a summary in {@code target/promql-conformance.txt}. Any failure outside the known list
 * fails the build.
 */
class PromqlGoldenTest {
    /**
     * Statements (file:line) known to fail, each with the reason. Keep empty: an entry is a bug to fix, not a
     * permanent exemption.
     */
    private static final Set<String> KNOWN_FAILURES = Set.of();

    @TestFactory
    Stream<DynamicNode> goldenFiles() throws IOException {
        String shared = System.getProperty("gauntlet.shared.dir", "../../../shared");
        Path directory = Path.of(shared, "promql-testdata-v2.42");
        Assumptions.assumeTrue(Files.isDirectory(directory),
                "PromQL golden files not found at " + directory.toAbsolutePath() + " (gauntlet.shared.dir); skipping");
        ParserAvailability.require();
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
        List<DynamicNode> containers = new ArrayList<>();
        StringBuilder perFile = new StringBuilder();
        StringBuilder failures = new StringBuilder();
        int passed = 0;
        int failed = 0;
        int skipped = 0;
        for (Path file : files) {
            String name = file.getFileName().toString();
            List<GoldenRunner.Outcome> outcomes = new GoldenRunner().run(name, Files.readString(file, StandardCharsets.UTF_8));
            int filePassed = 0;
            int fileFailed = 0;
            int fileSkipped = 0;
            List<DynamicNode> tests = new ArrayList<>();
            for (GoldenRunner.Outcome outcome : outcomes) {
                switch (outcome.status()) {
                    case PASSED -> filePassed++;
                    case FAILED -> fileFailed++;
                    case SKIPPED -> fileSkipped++;
                }
                if (outcome.status() == GoldenRunner.Status.FAILED) {
                    failures.append("FAIL ").append(outcome.id()).append(' ').append(outcome.expression()).append("\n       ")
                            .append(outcome.message()).append('\n');
                }
                tests.add(DynamicTest.dynamicTest("line " + outcome.line() + ": " + outcome.expression(), () -> {
                    Assumptions.assumeTrue(outcome.status() != GoldenRunner.Status.SKIPPED, outcome.message());
                    if (KNOWN_FAILURES.contains(outcome.id())) {
                        Assumptions.assumeTrue(outcome.status() == GoldenRunner.Status.PASSED,
                                "known failure: " + outcome.message());
                    }
                    assertThat(outcome.status()).as(outcome.message()).isEqualTo(GoldenRunner.Status.PASSED);
                }));
            }
            String line = "promql golden " + name + ": " + filePassed + " passed, " + fileFailed + " failed, "
                    + fileSkipped + " skipped";
            System.out.println(line);
            perFile.append(line).append('\n');
            passed += filePassed;
            failed += fileFailed;
            skipped += fileSkipped;
            containers.add(DynamicContainer.dynamicContainer(name, tests));
        }
        String total = "promql golden: " + passed + " passed, " + failed + " failed, " + skipped
                + " skipped";
        System.out.println(total);
        String summary = total + "\n" + perFile + failures;
        Path target = Path.of("target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("promql-conformance.txt"), summary, StandardCharsets.UTF_8);
        return containers.stream();
    }
}
