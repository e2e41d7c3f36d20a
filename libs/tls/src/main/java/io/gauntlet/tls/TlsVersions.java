package io.gauntlet.tls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** TLS protocol versions as Thanos ({@code 1.2}) and Prometheus' web config ({@code TLS12}) write them. */
public final class TlsVersions {
    private static final List<String> PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsVersions() {
    }

    /** The JDK protocol name of {@code 1.0}…{@code 1.3}, {@code TLS10}…{@code TLS13} or {@code TLSv1.2}; {@code setting} names it in errors. */
    public static String protocol(String version, String setting) {
        String text = version.trim().toUpperCase(Locale.ROOT);
        String normalized = switch (text) {
            case "1.0", "TLS10", "TLSV1", "TLSV1.0" -> "TLSv1";
            case "1.1", "TLS11", "TLSV1.1" -> "TLSv1.1";
            case "1.2", "TLS12", "TLSV1.2" -> "TLSv1.2";
            case "1.3", "TLS13", "TLSV1.3" -> "TLSv1.3";
            default -> null;
        };
        if (normalized == null) {
            throw new TlsConfigException(setting + ": unknown TLS version '" + version + "' (expected 1.0, 1.1, 1.2 or 1.3)");
        }
        return normalized;
    }

    /** The JDK protocol names from {@code min} to {@code max}, newest first; empty range → error naming the setting. */
    public static List<String> range(String min, String max, String setting) {
        int from = PROTOCOLS.indexOf(min);
        int to = PROTOCOLS.indexOf(max);
        if (from < 0 || to < 0 || from > to) {
            throw new TlsConfigException(setting + ": the minimum TLS version " + min + " is above the maximum " + max);
        }
        List<String> out = new ArrayList<>(PROTOCOLS.subList(from, to + 1));
        java.util.Collections.reverse(out);
        return out;
    }
}
