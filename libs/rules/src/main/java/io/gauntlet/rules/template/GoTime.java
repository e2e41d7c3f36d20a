package io.gauntlet.rules.template;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** Go's {@code *time.Time} in UTC, as {@code toTime} returns it: prints as Go's Time.String, exposes Unix and friends. */
public record GoTime(long epochSeconds, int nanos) implements GoValue {
    @Override
    public String goString() {
        ZonedDateTime t = Instant.ofEpochSecond(epochSeconds, nanos).atZone(ZoneOffset.UTC);
        StringBuilder out = new StringBuilder(String.format("%04d-%02d-%02d %02d:%02d:%02d", t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
        if (nanos != 0) {
            String fraction = String.format("%09d", nanos).replaceAll("0+$", "");
            out.append('.').append(fraction);
        }
        return out.append(" +0000 UTC").toString();
    }

    @Override
    public String goType() {
        return "*time.Time";
    }

    @Override
    public Object field(String name) {
        return switch (name) {
            case "Unix" -> epochSeconds;
            case "UnixMilli" -> epochSeconds * 1000 + nanos / 1_000_000;
            case "UnixNano" -> epochSeconds * 1_000_000_000L + nanos;
            case "UTC" -> this;
            case "String" -> goString();
            case "Year" -> (long) Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).getYear();
            case "Day" -> (long) Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).getDayOfMonth();
            case "Hour" -> (long) Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).getHour();
            case "Minute" -> (long) Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).getMinute();
            case "Second" -> (long) Instant.ofEpochSecond(epochSeconds).atZone(ZoneOffset.UTC).getSecond();
            default -> GoValue.super.field(name);
        };
    }
}
