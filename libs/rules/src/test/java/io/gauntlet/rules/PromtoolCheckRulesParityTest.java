package io.gauntlet.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file under {@code rulefiles/} checked by the real {@code promtool check rules} (Prometheus 2.42) and by
 * {@link RuleFileParser}: the same verdict and the same error lines (as a multiset: promtool walks Go maps in random
 * order).
 */
class PromtoolCheckRulesParityTest {
    @TestFactory
    Stream<DynamicTest> sameVerdictAndErrorsAsPromtool() throws IOException, URISyntaxException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "promtool is not installed (./gauntlet test installs it)");
        Path directory = Path.of(getClass().getResource("/rulefiles").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(directory)) {
            files = list.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> compare(file)));
    }

    private static void compare(Path file) throws Exception {
        Process process = new ProcessBuilder("/usr/bin/promtool", "check", "rules", file.getFileName().toString())
                .directory(file.getParent().toFile()).start();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        RuleFileParser.Result result = RuleFileParser.parse(file.getFileName().toString(), Files.readString(file));
        if (process.exitValue() == 0) {
            assertThat(result.errors()).as("promtool accepted it").isEmpty();
            assertThat(stdout).contains("SUCCESS: " + result.ruleCount() + " rules found");
            return;
        }
        assertThat(result.ok()).as("promtool refused it:\n" + stderr).isFalse();
        List<String> expected = new ArrayList<>(stderr.lines().filter(l -> !l.isBlank() && !l.equals("  FAILED:")).sorted().toList());
        List<String> actual = new ArrayList<>(String.join("\n", result.promtoolLines()).lines().sorted().toList());
        assertThat(actual).as("promtool said:\n" + stderr).isEqualTo(expected);
    }
}
