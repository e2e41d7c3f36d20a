package io.gauntlet.seed;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One replica's seeded samples as OpenMetrics text, the input of {@code promtool tsdb create-blocks-from openmetrics}:
 * families one after the other, each series' samples together in time order, timestamps in seconds with millisecond
 * decimals. OpenMetrics has no way to write Prometheus' staleness marker, so those samples are left out. Holds the whole
 * history in memory: meant for hours or days of a few targets, such as a test or a backfill sample.
 */
public final class OpenMetricsExport {
    private OpenMetricsExport() {
    }

    public static void write(Seeder.Options options, int replica, Writer out) throws IOException {
        Map<SyntheticSeries, List<double[]>> samples = new LinkedHashMap<>();
        Seeder.generate(options, new Seeder.SampleVisitor() {
            @Override
            public void startWindow(long minTime, long maxTime) {
            }

            @Override
            public void series(int r, SyntheticSeries series, long[] timestamps, double[] values, int count) {
                if (r != replica) {
                    return;
                }
                List<double[]> list = samples.computeIfAbsent(series, s -> new ArrayList<>());
                for (int i = 0; i < count; i++) {
                    if (Double.doubleToRawLongBits(values[i]) != Seeder.STALE_NAN) {
                        list.add(new double[] {timestamps[i], values[i]});
                    }
                }
            }

            @Override
            public void endWindow() {
            }
        });
        Map<String, List<SyntheticSeries>> families = new LinkedHashMap<>();
        for (SyntheticSeries series : samples.keySet()) {
            // a classic histogram's parts are written as untyped families of their own: OpenMetrics would want each label
            // set's buckets, count and sum together, while the seeder keeps series in index order
            String family = series.type().equals("histogram") ? series.labels().get("__name__") : series.family();
            families.computeIfAbsent(family, f -> new ArrayList<>()).add(series);
        }
        StringBuilder line = new StringBuilder(256);
        for (Map.Entry<String, List<SyntheticSeries>> family : families.entrySet()) {
            String type = family.getValue().getFirst().type();
            out.write("# TYPE " + family.getKey() + " " + (type.equals("histogram") ? "unknown" : type) + "\n");
            for (SyntheticSeries series : family.getValue()) {
                StringBuilder name = new StringBuilder(series.labels().get("__name__")).append('{');
                boolean first = true;
                for (int i = 0; i < series.labels().size(); i++) {
                    if (series.labels().name(i).equals("__name__")) {
                        continue;
                    }
                    name.append(first ? "" : ",").append(series.labels().name(i)).append("=\"").append(escape(series.labels().value(i))).append('"');
                    first = false;
                }
                name.append("} ");
                for (double[] sample : samples.get(series)) {
                    line.setLength(0);
                    line.append(name).append(format(sample[1])).append(' ').append(seconds((long) sample[0])).append('\n');
                    out.append(line);
                }
            }
        }
        out.write("# EOF\n");
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Java's shortest round-trip form, in the spelling Go's ParseFloat reads (+Inf, -Inf, NaN). */
    private static String format(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    /**
     * Seconds with millisecond decimals; promtool truncates {@code seconds * 1000} to an integer, so where the float
     * product would land just below the millisecond a trailing 5 (half a millisecond) keeps the same timestamp.
     */
    static String seconds(long millis) {
        String text = Math.floorDiv(millis, 1000) + "." + String.format("%03d", Math.floorMod(millis, 1000));
        return (long) (Double.parseDouble(text) * 1000) == millis ? text : text + "5";
    }
}
