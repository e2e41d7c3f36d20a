package io.gauntlet.tools;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.stream.Collectors;

/** Values printed the way Thanos' Go tools print them, so scripts written against Thanos keep working. */
public final class GoFormat {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private GoFormat() {
    }

    /** Go's {@code time.Duration.String()} of a millisecond span: {@code 2h0m0s}, {@code 1m30s}, {@code 500ms}, {@code 0s}. */
    public static String duration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long abs = Math.abs(millis);
        if (millis < 0) {
            out.append('-');
        }
        if (abs < 1000) {
            return out.append(abs).append("ms").toString();
        }
        long hours = abs / 3_600_000;
        long minutes = abs / 60_000 % 60;
        long seconds = abs / 1000 % 60;
        long fraction = abs % 1000;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(seconds);
        if (fraction != 0) {
            String digits = String.format("%03d", fraction).replaceAll("0+$", "");
            out.append('.').append(digits);
        }
        return out.append('s').toString();
    }

    /** Go's {@code time.Unix(ms/1000, 0).UTC().Format(time.RFC3339)}. */
    public static String rfc3339(long millis) {
        return RFC3339.format(Instant.ofEpochSecond(Math.floorDiv(millis, 1000)));
    }

    /** A label set as Prometheus prints it: {@code {a="1", b="2"}}, names in the map's order. */
    public static String labels(Map<String, String> labels) {
        return labels.entrySet().stream().map(entry -> entry.getKey() + "=\"" + entry.getValue() + "\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
