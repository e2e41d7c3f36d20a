package io.gauntlet.rules;

/** Prometheus' alert states; the lower-case name is what APIs print. */
public enum AlertState {
    INACTIVE, PENDING, FIRING;

    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
