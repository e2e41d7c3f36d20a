package io.gauntlet.rules.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.storage.InMemoryQueryable;
import io.gauntlet.rules.EngineRuleQuerier;
import io.gauntlet.rules.RuleFileParser;
import io.gauntlet.rules.RuleGroup;
import io.gauntlet.rules.RuleManager;
import io.gauntlet.rules.RuleMetrics;
import io.gauntlet.rules.SampleAppender;
import io.gauntlet.tsdb.Labels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alerts from a rule group to a real Alertmanager 0.25 over its API v2: external labels added, relabeling applied
 * (a label dropped, a whole alert dropped), the generator URL; and an Alertmanager that is down gets the alert once it
 * is back, from the rule's resend.
 */
class AlertmanagerNotifierTest {
    private static final String RULES = """
            groups:
              - name: am
                rules:
                  - alert: Watchdog
                    expr: vector(1)
                    labels: {severity: warning}
                    annotations: {summary: 'always firing ({{ $value }})'}
                  - alert: Quiet
                    expr: vector(1)
                    labels: {severity: none}
            """;

    @Test
    void deliversToARealAlertmanagerAndAgainAfterItWasDown(@TempDir Path directory) throws Exception {
        Assumptions.assumeTrue(AlertmanagerProcess.installed(), "prometheus-alertmanager is not installed (./gauntlet test installs it)");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (AlertmanagerProcess alertmanager = AlertmanagerProcess.start(directory.resolve("am"));
             AlertmanagerNotifier notifier = new AlertmanagerNotifier(new AlertmanagerNotifier.Options(
                     Labels.of("cluster", "eu", "rule_replica", "a"),
                     RelabelConfig.parseList("""
                             - action: labeldrop
                               regex: rule_replica
                             - action: drop
                               source_labels: [severity]
                               regex: none
                             """), 100, Duration.ofSeconds(5), "http://querier:10902/"),
                     new AlertmanagerDiscovery(List.of(alertmanager.url().toString()), Duration.ZERO), meters)) {
            RuleManager manager = new RuleManager(RuleManager.Options.defaults(List.of(), Labels.EMPTY), null, null, null, null,
                    RuleMetrics.detached());
            RuleGroup group = manager.build(RuleFileParser.parse("am.yml", RULES).groups().getFirst(), true);
            EngineRuleQuerier querier = new EngineRuleQuerier(new PromqlEngine(), new InMemoryQueryable());
            SampleAppender discard = new SampleAppender() {
                @Override
                public boolean append(Labels labels, long timestampMillis, double value) {
                    return true;
                }

                @Override
                public void commit() {
                }
            };
            long now = System.currentTimeMillis();
            group.evaluate(now, querier, discard, notifier, 60_000, RuleMetrics.detached());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alertmanager.alerts().contains("Watchdog"));
            JsonNode alerts = new ObjectMapper().readTree(alertmanager.alerts());
            assertThat(alerts).hasSize(1);
            JsonNode watchdog = alerts.get(0);
            assertThat(watchdog.path("labels").path("alertname").asText()).isEqualTo("Watchdog");
            assertThat(watchdog.path("labels").path("cluster").asText()).isEqualTo("eu");
            assertThat(watchdog.path("labels").has("rule_replica")).isFalse();
            assertThat(watchdog.path("annotations").path("summary").asText()).isEqualTo("always firing (1)");
            assertThat(watchdog.path("generatorURL").asText()).isEqualTo("http://querier:10902/graph?g0.expr=vector%281%29&g0.tab=1");
            assertThat(watchdog.path("status").path("state").asText()).isEqualTo("active");

            alertmanager.stop();
            group.evaluate(now + 90_000, querier, discard, notifier, 60_000, RuleMetrics.detached());
            Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> meters.find("prometheus_notifications_dropped").counter().count() >= 1);
            alertmanager.start(); // a fresh Alertmanager: its alerts are gone with its storage
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> alertmanager.alerts().equals("[]\n") || alertmanager.alerts().equals("[]"));
            group.evaluate(now + 180_000, querier, discard, notifier, 60_000, RuleMetrics.detached());
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> alertmanager.alerts().contains("Watchdog"));
        }
    }
}
