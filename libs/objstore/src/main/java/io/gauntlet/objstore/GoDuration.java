package io.gauntlet.objstore;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go's duration syntax as Thanos configs write it: "90s", "1m30s", "500ms", "2h". */
final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private GoDuration() {
    }

    static Duration parse(String text, String key) {
        String value = text.trim();
        if (value.equals("0")) {
            return Duration.ZERO;
        }
        Matcher matcher = PART.matcher(value);
        double nanos = 0;
        int position = 0;
        while (position < value.length()) {
            if (!matcher.find(position) || matcher.start() != position) {
                throw new IllegalArgumentException(key + " is not a duration such as 90s, 1m30s or 500ms");
            }
            double amount = Double.parseDouble(matcher.group(1));
            nanos += amount * switch (matcher.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            position = matcher.end();
        }
        if (position == 0) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
        return Duration.ofNanos(Math.round(nanos));
    }
}
