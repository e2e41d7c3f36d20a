package io.gauntlet.tsdb.block;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.SampleIterator;
import io.gauntlet.tsdb.storage.SeriesSet;
import io.gauntlet.tsdb.storage.StorageException;
import io.gauntlet.tsdb.testing.Promtool;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares a series set with {@code promtool tsdb dump <dir>}, streaming both: the dump prints one line per sample,
 * {@code {name="value", …} <value> <timestamp ms>}, series in label order, samples in time order, values in Go's
 * {@code %g}-like form ({@code NaN}, {@code +Inf}, {@code 1e+300}).
 */
final class PromtoolDump {
    private PromtoolDump() {
    }

    /** Runs the dump of every block in {@code databaseDirectory} (promtool needs a {@code wal} directory there). */
    static Path dump(Promtool promtool, Path databaseDirectory, Path output) throws IOException {
        Files.createDirectories(databaseDirectory.resolve("wal"));
        Files.writeString(output, promtool.run("tsdb", "dump", databaseDirectory.toString()), StandardCharsets.UTF_8);
        return output;
    }

    /** Asserts that the series set holds exactly the samples of the dump; returns the number of samples compared. */
    static long assertSameSamples(Path dumpFile, SeriesSet series) throws IOException, StorageException {
        long samples = 0;
        try (BufferedReader dump = Files.newBufferedReader(dumpFile, StandardCharsets.UTF_8)) {
            SampleIterator iterator = null;
            while (series.next()) {
                String labels = goString(series.at().labels());
                iterator = series.at().iterator(iterator);
                while (iterator.next()) {
                    String line = dump.readLine();
                    assertThat(line).as("dump ends before sample %d of %s", samples, labels).isNotNull();
                    int valueEnd = line.lastIndexOf(' ');
                    int labelsEnd = line.lastIndexOf(' ', valueEnd - 1);
                    String expectedLabels = line.substring(0, labelsEnd);
                    double expectedValue = parseGoFloat(line.substring(labelsEnd + 1, valueEnd));
                    long expectedTimestamp = Long.parseLong(line.substring(valueEnd + 1));
                    if (!expectedLabels.equals(labels) || expectedTimestamp != iterator.timestamp()
                            || !sameValue(expectedValue, iterator.value())) {
                        throw new AssertionError("sample " + samples + ": dump has [" + line + "], Gauntlet read " + labels + " "
                                + iterator.value() + " " + iterator.timestamp());
                    }
                    samples++;
                }
            }
            assertThat(dump.readLine()).as("dump lines after the %d samples Gauntlet read", samples).isNull();
        }
        return samples;
    }

    static boolean sameValue(double expected, double actual) {
        return Double.isNaN(expected) ? Double.isNaN(actual) : Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual);
    }

    static double parseGoFloat(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /** Labels as Go's {@code labels.Labels.String()} prints them: values quoted with {@code strconv.Quote}. */
    static String goString(Labels labels) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < labels.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            out.append(labels.name(i)).append('=');
            quote(out, labels.value(i));
        }
        return out.append('}').toString();
    }

    private static void quote(StringBuilder out, String value) {
        out.append('"');
        value.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7F) {
                        out.append(String.format("\\x%02x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        out.append('"');
    }
}
