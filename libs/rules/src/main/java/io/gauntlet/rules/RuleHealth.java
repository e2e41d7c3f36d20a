package io.gauntlet.rules;

/** Prometheus' rule health: "unknown" before the first evaluation, then "ok" or "err". */
public enum RuleHealth {
    UNKNOWN("unknown"), OK("ok"), ERR("err");

    private final String apiName;

    RuleHealth(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }
}
