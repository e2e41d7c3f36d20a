package io.gauntlet.promql.parser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Test queries: the golden files under gauntlet.shared.dir and the recorded Prometheus verdicts. */
final class QueryCorpus {
    record Verdict(boolean accepted, String query, String prometheus) {
    }

    private QueryCorpus() {
    }

    /** The golden test directory, or null when the shared directory is not there. */
    static Path goldenDirectory() {
        String shared = System.getProperty("gauntlet.shared.dir");
        if (shared == null) {
            return null;
        }
        Path directory = Path.of(shared, "promql-testdata-v2.42");
        return Files.isDirectory(directory) ? directory : null;
    }

    /** Every expression of an {@code eval}, {@code eval_ordered} or {@code eval_fail} line of the golden files. */
    static List<String> goldenQueries(Path directory) {
        List<String> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".test")).sorted().toList()) {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("eval")) {
                        String[] parts = line.split(" ", 5); // eval instant at <time> <expr>
                        queries.add(parts[4]);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return queries;
    }

    static List<Verdict> verdicts() {
        List<Verdict> verdicts = new ArrayList<>();
        try (InputStream in = QueryCorpus.class.getResourceAsStream("prometheus-2.42-verdicts.tsv");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("#") || line.isEmpty()) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                verdicts.add(new Verdict(fields[0].equals("OK"), unescape(fields[1]), unescape(fields[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return verdicts;
    }

    private static String unescape(String field) {
        StringBuilder out = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 1 < field.length()) {
                char e = field.charAt(++i);
                out.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> e;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
