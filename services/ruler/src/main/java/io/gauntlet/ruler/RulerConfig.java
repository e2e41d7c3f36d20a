package io.gauntlet.ruler;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The ruler's settings; names follow Thanos' rule flags ({@code --rule-file}, {@code --query}, {@code --alertmanagers.url}, …). */
@ConfigMapping(prefix = "gauntlet.ruler")
public interface RulerConfig {
    /** Rule files or globs ({@code --rule-file}), comma separated. */
    List<String> ruleFiles();

    /** Default group evaluation interval ({@code --eval-interval}). */
    @WithDefault("1m")
    Duration evalInterval();

    /** How often the rule files are checked for changes (besides {@code POST /-/reload}). */
    @WithDefault("30s")
    Duration ruleFilesCheckInterval();

    /** The ruler's TSDB: write-ahead log and blocks ({@code --data-dir}). */
    @WithDefault("./data")
    Path dataDir();

    /** External labels of the recorded series and the alerts, {@code name=value} ({@code --label}), e.g. {@code rule_replica=a}. */
    List<String> labels();

    /** Queriers' HTTP API base URLs ({@code --query}); rule queries go there with dedup and the group's partial response. */
    Optional<List<String>> queryEndpoints();

    /**
     * How to reach the query endpoints over HTTPS with credentials: Thanos' http client config YAML ({@code tls_config},
     * {@code basic_auth} with {@code password_file}, {@code bearer_token_file}), as {@code --prometheus.http-client-file}.
     */
    Optional<Path> queryHttpClientFile();

    /** StoreAPI endpoints ({@code host:port}, {@code dns+…}, {@code dnssrv+…}) queried by the ruler's own engine instead. */
    Optional<List<String>> storeEndpoints();

    /** Replica labels deduplicated when querying StoreAPI endpoints directly ({@code --query.replica-label}). */
    Optional<List<String>> queryReplicaLabels();

    /** Longest a rule query may take. */
    @WithDefault("2m")
    Duration queryTimeout();

    /** Default {@code partial_response_strategy} of groups without one: {@code abort} or {@code warn}. */
    @WithDefault("abort")
    String partialResponseStrategy();

    /** Alertmanagers ({@code --alertmanagers.url}): {@code http://host:9093}, {@code dns+http://…}, {@code dnssrv+http://…}. */
    Optional<List<String>> alertmanagersUrl();

    /** One POST to an Alertmanager ({@code --alertmanagers.send-timeout}). */
    @WithDefault("10s")
    Duration alertmanagersSendTimeout();

    /** How often dns+/dnssrv+ Alertmanager names are resolved again ({@code --alertmanagers.sd-dns-interval}). */
    @WithDefault("30s")
    Duration alertmanagersSdDnsInterval();

    /** Alerts held while Alertmanagers are slow or down. */
    @WithDefault("10000")
    int alertmanagersQueueCapacity();

    /** Base of the alerts' generator URL and of {@code $externalURL} ({@code --alert.query-url}), e.g. the querier UI. */
    Optional<String> alertQueryUrl();

    /** Labels removed from alerts before sending ({@code --alert.label-drop}), e.g. the replica label so Alertmanager dedups HA rulers. */
    Optional<List<String>> alertLabelDrop();

    /** {@code alert_relabel_configs} as a YAML list ({@code --alert.relabel-config-file}). */
    Optional<Path> alertRelabelConfigFile();

    /** Firing alerts are sent again this often ({@code --resend-delay}). */
    @WithDefault("1m")
    Duration resendDelay();

    /** Longest downtime after which {@code for} state is still restored ({@code --for-outage-tolerance}). */
    @WithDefault("1h")
    Duration forOutageTolerance();

    /** Least time a restored alert waits before firing ({@code --for-grace-period}). */
    @WithDefault("10m")
    Duration forGracePeriod();

    /** Block length of the ruler's TSDB ({@code --tsdb.block-duration}). */
    @WithDefault("2h")
    Duration tsdbBlockDuration();

    /** Local blocks older than this are deleted ({@code --tsdb.retention}); shipped ones stay in the bucket. */
    @WithDefault("48h")
    Duration tsdbRetention();

    /** Objstore YAML file for shipping blocks ({@code --objstore.config-file}); none: blocks stay local. */
    Optional<Path> objstoreConfigFile();

    /** Objstore YAML inline ({@code --objstore.config}). */
    Optional<String> objstoreConfig();

    /** Kafka for block events of shipped blocks. */
    @WithName("kafka.bootstrap-servers")
    Optional<String> kafkaBootstrapServers();

    @WithName("kafka.topic")
    @WithDefault("gauntlet.blocks")
    String kafkaTopic();
}
