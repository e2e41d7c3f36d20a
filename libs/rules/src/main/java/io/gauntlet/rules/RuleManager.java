package io.gauntlet.rules;

import io.gauntlet.promql.parser.PromqlParser;
import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.Queryable;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Loads rule files (globs), validates them as promtool does, runs each group on its interval with Prometheus'
 * evaluation time alignment, restores the {@code for} state after a start, and swaps groups on reload: an invalid
 * file leaves the last good rules running.
 */
public final class RuleManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RuleManager.class.getName());

    /**
     * Settings (Prometheus' and Thanos' rule flags).
     *
     * @param ruleFiles               files or globs ({@code --rule-file})
     * @param evaluationIntervalMillis default group interval ({@code --eval-interval}, 1m)
     * @param externalLabels          {@code $externalLabels} in templates
     * @param externalUrl             {@code $externalURL} and {@code externalURL} in templates
     * @param resendDelayMillis       {@code --resend-delay} (1m)
     * @param outageToleranceMillis   {@code --for-outage-tolerance} (1h)
     * @param gracePeriodMillis       {@code --for-grace-period} (10m)
     * @param defaultPartialResponse  whether groups without {@code partial_response_strategy} accept partial answers
     */
    public record Options(List<String> ruleFiles, long evaluationIntervalMillis, Labels externalLabels, URI externalUrl,
            long resendDelayMillis, long outageToleranceMillis, long gracePeriodMillis, boolean defaultPartialResponse) {
        public Options {
            ruleFiles = List.copyOf(ruleFiles);
            Objects.requireNonNull(externalLabels, "externalLabels");
        }

        public static Options defaults(List<String> ruleFiles, Labels externalLabels) {
            return new Options(ruleFiles, 60_000, externalLabels, null, 60_000, 3_600_000, 600_000, false);
        }
    }

    /** What a reload did: the errors (promtool's lines) when it kept the previous rules. */
    public record ReloadResult(boolean ok, List<String> errors, int groups, int rules) {
    }

    private record LoadedGroup(RuleGroupSpec spec, RuleGroup group) {
    }

    private final Options options;
    private final RuleQuerier querier;
    private final Supplier<SampleAppender> appenders;
    private final Queryable forStateQueryable;
    private final RuleGroup.AlertSink alertSink;
    private final RuleMetrics metrics;
    private final LongSupplier clockNanos;
    private final Map<String, LoadedGroup> groups = new LinkedHashMap<>();
    private final Map<String, GroupRunner> runners = new LinkedHashMap<>();
    private volatile List<RuleGroup> current = List.of();
    private volatile ReloadResult lastReload = new ReloadResult(true, List.of(), 0, 0);
    private volatile long lastSuccessfulReloadMillis;
    private boolean started;
    private boolean restoredOnce;
    private boolean closed;

    public RuleManager(Options options, RuleQuerier querier, Supplier<SampleAppender> appenders, Queryable forStateQueryable,
            RuleGroup.AlertSink alertSink, RuleMetrics metrics) {
        this(options, querier, appenders, forStateQueryable, alertSink, metrics, () -> System.currentTimeMillis() * 1_000_000);
    }

    RuleManager(Options options, RuleQuerier querier, Supplier<SampleAppender> appenders, Queryable forStateQueryable,
            RuleGroup.AlertSink alertSink, RuleMetrics metrics, LongSupplier clockNanos) {
        this.options = options;
        this.querier = querier;
        this.appenders = appenders;
        this.forStateQueryable = forStateQueryable;
        this.alertSink = alertSink;
        this.metrics = metrics;
        this.clockNanos = clockNanos;
    }

    public Options options() {
        return options;
    }

    /** The running groups, in file order. */
    public List<RuleGroup> groups() {
        return current;
    }

    public ReloadResult lastReload() {
        return lastReload;
    }

    public long lastSuccessfulReloadMillis() {
        return lastSuccessfulReloadMillis;
    }

    /** Every file the globs match, sorted (a glob that matches nothing adds nothing, as in Prometheus). */
    public static List<Path> resolve(List<String> patterns) throws IOException {
        TreeSet<Path> files = new TreeSet<>();
        for (String pattern : patterns) {
            if (pattern.isBlank()) {
                continue;
            }
            int glob = indexOfGlob(pattern);
            if (glob < 0) {
                Path path = Paths.get(pattern);
                if (Files.isRegularFile(path)) {
                    files.add(path);
                } else if (!Files.exists(path)) {
                    throw new IOException("rule file " + pattern + " does not exist");
                }
                continue;
            }
            int slash = pattern.lastIndexOf('/', glob);
            Path base = slash < 0 ? Paths.get(".") : Paths.get(slash == 0 ? "/" : pattern.substring(0, slash));
            if (!Files.isDirectory(base)) {
                continue;
            }
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + (slash < 0 ? "./" + pattern : pattern));
            try (Stream<Path> walk = Files.walk(base)) {
                walk.filter(Files::isRegularFile).filter(p -> matcher.matches(slash < 0 ? Paths.get("./" + base.relativize(p)) : p))
                        .forEach(files::add);
            }
        }
        return new ArrayList<>(files);
    }

    private static int indexOfGlob(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if ("*?[{".indexOf(pattern.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }

    /** Reads and validates every rule file; all valid: the groups are swapped in, else the running ones stay. */
    public synchronized ReloadResult reload() {
        List<String> errors = new ArrayList<>();
        List<RuleGroupSpec> specs = new ArrayList<>();
        try {
            for (Path file : resolve(options.ruleFiles())) {
                String content;
                try {
                    content = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    errors.add(file + ": " + e.getMessage());
                    continue;
                }
                RuleFileParser.Result result = RuleFileParser.parse(file.toString(), content);
                errors.addAll(result.promtoolLines());
                specs.addAll(result.groups());
            }
        } catch (IOException e) {
            errors.add(e.getMessage());
        }
        if (!errors.isEmpty()) {
            lastReload = new ReloadResult(false, List.copyOf(errors), current.size(), ruleCount(current));
            LOG.log(System.Logger.Level.ERROR, "loading rules failed, the previous rules keep running: {0}", String.join("; ", errors));
            return lastReload;
        }
        apply(specs);
        lastSuccessfulReloadMillis = System.currentTimeMillis();
        lastReload = new ReloadResult(true, List.of(), current.size(), ruleCount(current));
        LOG.log(System.Logger.Level.INFO, "loaded {0} rule groups with {1} rules", lastReload.groups(), lastReload.rules());
        return lastReload;
    }

    private static int ruleCount(List<RuleGroup> groups) {
        return groups.stream().mapToInt(g -> g.rules().size()).sum();
    }

    /** Builds a group from its spec (rules parsed, expressions as Prometheus prints them). */
    public RuleGroup build(RuleGroupSpec spec, boolean restored) {
        List<Rule> rules = new ArrayList<>();
        for (RuleSpec rule : spec.rules()) {
            String query = PromqlParser.parseExpr(rule.expr()).toString();
            Labels labels = Labels.fromMap(rule.labels());
            if (rule.isAlert()) {
                rules.add(new AlertingRule(rule.alert(), query, rule.forMillis(), rule.keepFiringForMillis(), labels,
                        Labels.fromMap(rule.annotations()), options.externalLabels(), options.externalUrl(), restored));
            } else {
                rules.add(new RecordingRule(rule.record(), query, labels));
            }
        }
        boolean partial = spec.partialResponseStrategy() == null || spec.partialResponseStrategy().isEmpty()
                ? options.defaultPartialResponse() : spec.partialResponseStrategy().equalsIgnoreCase("warn");
        long interval = spec.intervalMillis() > 0 ? spec.intervalMillis() : options.evaluationIntervalMillis();
        return new RuleGroup(spec.name(), spec.file(), interval, spec.limit(), partial, rules);
    }

    private void apply(List<RuleGroupSpec> specs) {
        boolean shouldRestore = !restoredOnce;
        restoredOnce = true;
        Map<String, LoadedGroup> next = new LinkedHashMap<>();
        Map<String, GroupRunner> nextRunners = new LinkedHashMap<>();
        for (RuleGroupSpec spec : specs) {
            String key = spec.file() + ";" + spec.name();
            LoadedGroup old = groups.get(key);
            if (old != null && old.spec().equals(spec)) {
                next.put(key, old);
                GroupRunner runner = runners.remove(key);
                if (runner != null) {
                    nextRunners.put(key, runner);
                }
                continue;
            }
            RuleGroup group = build(spec, !shouldRestore);
            if (old != null) {
                GroupRunner runner = runners.remove(key);
                if (runner != null) {
                    runner.stop(false);
                }
                group.copyStateFrom(old.group());
            }
            next.put(key, new LoadedGroup(spec, group));
            if (started) {
                nextRunners.put(key, startRunner(group, shouldRestore));
            }
        }
        for (Map.Entry<String, GroupRunner> removed : runners.entrySet()) {
            removed.getValue().stop(true);
        }
        runners.clear();
        runners.putAll(nextRunners);
        groups.clear();
        groups.putAll(next);
        current = next.values().stream().map(LoadedGroup::group).toList();
        pendingRestore = shouldRestore;
    }

    private boolean pendingRestore;

    /** Starts every loaded group's schedule. */
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (Map.Entry<String, LoadedGroup> entry : groups.entrySet()) {
            runners.put(entry.getKey(), startRunner(entry.getValue().group(), pendingRestore));
        }
    }

    private GroupRunner startRunner(RuleGroup group, boolean shouldRestore) {
        GroupRunner runner = new GroupRunner(group, shouldRestore);
        runner.thread = Thread.ofPlatform().name("rule-group-" + group.name()).daemon().start(runner::run);
        return runner;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (GroupRunner runner : runners.values()) {
            runner.stop(false);
        }
        runners.clear();
    }

    /** One group's schedule: aligned slots, missed slots skipped, the {@code for} state restored after the second run. */
    private final class GroupRunner {
        final RuleGroup group;
        final boolean shouldRestore;
        volatile boolean stopping;
        volatile boolean markStale;
        Thread thread;

        GroupRunner(RuleGroup group, boolean shouldRestore) {
            this.group = group;
            this.shouldRestore = shouldRestore;
        }

        void stop(boolean markSeriesStale) {
            markStale = markSeriesStale;
            stopping = true;
            thread.interrupt();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private boolean sleepUntil(long targetNanos) {
            while (!stopping) {
                long remaining = targetNanos - clockNanos.getAsLong();
                if (remaining <= 0) {
                    return true;
                }
                try {
                    Thread.sleep(Math.max(1, remaining / 1_000_000), (int) (remaining % 1_000_000));
                } catch (InterruptedException e) {
                    if (stopping) {
                        return false;
                    }
                }
            }
            return false;
        }

        void run() {
            long interval = group.intervalMillis() * 1_000_000;
            long evalTimestamp = group.evalTimestampNanos(clockNanos.getAsLong()) + interval;
            try {
                if (!sleepUntil(evalTimestamp)) {
                    return;
                }
                iterate(evalTimestamp, 0);
                boolean restorePending = shouldRestore;
                while (!stopping) {
                    if (!sleepUntil(evalTimestamp + interval)) {
                        return;
                    }
                    long missed = (clockNanos.getAsLong() - evalTimestamp) / interval - 1;
                    missed = Math.max(0, missed);
                    evalTimestamp += (missed + 1) * interval;
                    iterate(evalTimestamp, missed);
                    if (restorePending) {
                        restorePending = false;
                        try {
                            group.restoreForState(clockNanos.getAsLong() / 1_000_000, forStateQueryable, options.outageToleranceMillis(),
                                    options.gracePeriodMillis());
                        } catch (Exception e) {
                            LOG.log(System.Logger.Level.WARNING, "restoring the for state of group {0} failed: {1}", group.key(), e.toString());
                            for (Rule rule : group.rules()) {
                                if (rule instanceof AlertingRule alerting) {
                                    alerting.setRestored(true);
                                }
                            }
                        }
                    }
                }
            } finally {
                if (markStale) {
                    try {
                        group.markAllStale(clockNanos.getAsLong() / 1_000_000, appenders.get());
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "marking the series of removed group {0} stale failed: {1}", group.key(), e.toString());
                    }
                }
            }
        }

        private void iterate(long evalTimestampNanos, long missed) {
            metrics.iteration(group, missed);
            try {
                group.evaluate(Math.floorDiv(evalTimestampNanos, 1_000_000), querier, appenders.get(), alertSink, options.resendDelayMillis(), metrics);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "evaluating group {0} failed: {1}", group.key(), e.toString());
            }
        }
    }

    /** The groups for the rules APIs, filtered. */
    public List<RuleGroup> groups(List<String> files, List<String> names) {
        List<RuleGroup> out = new ArrayList<>();
        for (RuleGroup group : current) {
            if ((files.isEmpty() || files.contains(group.file())) && (names.isEmpty() || names.contains(group.name()))) {
                out.add(group);
            }
        }
        return Collections.unmodifiableList(out);
    }
}
