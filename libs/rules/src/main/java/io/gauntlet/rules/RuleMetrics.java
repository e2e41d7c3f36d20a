package io.gauntlet.rules;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rule engine's metrics with Prometheus' names and {@code rule_group} label ({@code file;name}):
 * {@code prometheus_rule_evaluations_total}, {@code prometheus_rule_evaluation_failures_total},
 * {@code prometheus_rule_group_last_duration_seconds}, … and Thanos' {@code thanos_rule_evaluation_with_warnings_total}.
 */
public final class RuleMetrics {
    private final MeterRegistry registry;
    private final Map<String, GroupMeters> groups = new ConcurrentHashMap<>();
    private final DistributionSummary ruleDuration;
    private final Map<String, Counter> warnings = new ConcurrentHashMap<>();

    public RuleMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ruleDuration = DistributionSummary.builder("prometheus_rule_evaluation_duration_seconds")
                .description("The duration for a rule to execute.").publishPercentiles(0.5, 0.9, 0.99).register(registry);
    }

    /** Metrics into a private registry (tests, benchmarks). */
    public static RuleMetrics detached() {
        return new RuleMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    private static final class GroupMeters {
        final Counter evaluations;
        final Counter failures;
        final Counter iterations;
        final Counter missed;
        final Counter outOfOrder;
        final AtomicLong lastDurationNanos = new AtomicLong();
        final AtomicLong lastEvaluationMillis = new AtomicLong();
        final AtomicLong lastSamples = new AtomicLong();
        final AtomicLong rules = new AtomicLong();
        final AtomicLong intervalMillis = new AtomicLong();

        GroupMeters(MeterRegistry registry, String key) {
            Tags tags = Tags.of("rule_group", key);
            evaluations = Counter.builder("prometheus_rule_evaluations").tags(tags).description("The total number of rule evaluations.").register(registry);
            failures = Counter.builder("prometheus_rule_evaluation_failures").tags(tags)
                    .description("The total number of rule evaluation failures.").register(registry);
            iterations = Counter.builder("prometheus_rule_group_iterations").tags(tags)
                    .description("The total number of scheduled rule group evaluations, whether executed or missed.").register(registry);
            missed = Counter.builder("prometheus_rule_group_iterations_missed").tags(tags)
                    .description("The total number of rule group evaluations missed due to slow rule group evaluation.").register(registry);
            outOfOrder = Counter.builder("gauntlet_rule_samples_rejected").tags(tags)
                    .description("Rule output samples the storage rejected (out of order or duplicate timestamp).").register(registry);
            Gauge.builder("prometheus_rule_group_last_duration_seconds", lastDurationNanos, v -> v.get() / 1e9).tags(tags)
                    .description("The duration of the last rule group evaluation.").register(registry);
            Gauge.builder("prometheus_rule_group_last_evaluation_timestamp_seconds", lastEvaluationMillis, v -> v.get() / 1e3).tags(tags)
                    .description("The timestamp of the last rule group evaluation in seconds.").register(registry);
            Gauge.builder("prometheus_rule_group_last_evaluation_samples", lastSamples, AtomicLong::get).tags(tags)
                    .description("The number of samples returned during the last rule group evaluation.").register(registry);
            Gauge.builder("prometheus_rule_group_rules", rules, AtomicLong::get).tags(tags)
                    .description("The number of rules.").register(registry);
            Gauge.builder("prometheus_rule_group_interval_seconds", intervalMillis, v -> v.get() / 1e3).tags(tags)
                    .description("The interval of a rule group.").register(registry);
        }
    }

    private GroupMeters meters(RuleGroup group) {
        return groups.computeIfAbsent(group.key(), key -> {
            GroupMeters meters = new GroupMeters(registry, key);
            meters.rules.set(group.rules().size());
            meters.intervalMillis.set(group.intervalMillis());
            return meters;
        });
    }

    void evaluation(RuleGroup group) {
        meters(group).evaluations.increment();
    }

    void failure(RuleGroup group, Rule rule, String message) {
        meters(group).failures.increment();
        System.getLogger(RuleGroup.class.getName()).log(System.Logger.Level.WARNING,
                "rule evaluation failed: group={0} rule={1} err={2}", group.key(), rule.name(), message);
    }

    void outOfOrder(RuleGroup group) {
        meters(group).outOfOrder.increment();
    }

    void ruleDuration(long nanos) {
        ruleDuration.record(nanos / 1e9);
    }

    void groupEvaluated(RuleGroup group, long ts) {
        GroupMeters meters = meters(group);
        meters.lastDurationNanos.set(group.lastDurationNanos());
        meters.lastEvaluationMillis.set(ts);
        meters.lastSamples.set(group.lastSamples());
    }

    /** A scheduled iteration, and how many slots were missed before it. */
    public void iteration(RuleGroup group, long missed) {
        GroupMeters meters = meters(group);
        meters.iterations.increment(1 + Math.max(0, missed));
        if (missed > 0) {
            meters.missed.increment(missed);
        }
    }

    /** A query answered with warnings (a partial response the group's strategy accepted). */
    public void evaluationWithWarnings(String strategy) {
        warnings.computeIfAbsent(strategy, s -> Counter.builder("thanos_rule_evaluation_with_warnings").tag("strategy", s)
                .description("The total number of rule evaluation that were successful but had warnings which can indicate partial error.")
                .register(registry)).increment();
    }
}
