package io.gauntlet.compactor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The compactor's settings, named after Thanos' compactor flags ({@code --data-dir}, {@code --delete-delay}, …). */
@ConfigMapping(prefix = "gauntlet.compactor")
public interface CompactorConfig {
    /** Scratch space for downloads and new blocks (Thanos {@code --data-dir}). */
    @WithDefault("./data")
    Path dataDir();

    /** Objstore YAML file (Thanos {@code --objstore.config-file}); exactly one of this and {@link #objstoreConfig()}. */
    Optional<Path> objstoreConfigFile();

    /** Objstore YAML inline (Thanos {@code --objstore.config}). */
    Optional<String> objstoreConfig();

    /** Full sync of the owned groups (Thanos {@code --wait-interval}). */
    @WithDefault("5m")
    Duration waitInterval();

    /** Minimum age of a block without an event before it is used (Thanos {@code --consistency-delay}). */
    @WithDefault("30m")
    Duration consistencyDelay();

    /** Time between a deletion mark and the deletion (Thanos {@code --delete-delay}). */
    @WithDefault("48h")
    Duration deleteDelay();

    /**
     * Compaction ranges, smallest first (Thanos' hidden {@code --compact.block-ranges}); the first is the blocks' size as
     * Prometheus cuts them. Shorter ones only for tests and soaks that run Prometheus with minutes-long blocks.
     */
    @WithName("block-ranges")
    @WithDefault("2h,8h,2d,14d")
    List<Duration> blockRanges();

    Retention retention();

    Deduplication deduplication();

    Downsampling downsampling();

    /** The events' producer (CloudEvents source), a URI reference. */
    @WithDefault("gauntlet/compactor")
    String producer();

    Kafka kafka();

    interface Retention {
        /** Thanos {@code --retention.resolution-raw}; 0 keeps raw blocks forever. */
        @WithName("resolution-raw")
        @WithDefault("0s")
        Duration resolutionRaw();

        @WithName("resolution-5m")
        @WithDefault("0s")
        Duration resolution5m();

        @WithName("resolution-1h")
        @WithDefault("0s")
        Duration resolution1h();
    }

    interface Deduplication {
        /** Labels that tell HA replicas apart (Thanos {@code --deduplication.replica-label}); set → vertical compaction. */
        @WithName("replica-label")
        Optional<List<String>> replicaLabels();

        /**
         * {@code penalty} (the default here: replicas merged as the querier deduplicates them) or {@code chain} (Thanos'
         * default, also meant by an empty value: the union of samples). Thanos {@code --deduplication.func}.
         */
        @WithDefault("penalty")
        String func();
    }

    interface Downsampling {
        /** Thanos {@code --downsampling.disable}. */
        @WithDefault("false")
        boolean disable();
    }

    interface Kafka {
        /** Unset: no events; this process owns every group and only the periodic sync runs. */
        Optional<String> bootstrapServers();

        @WithDefault("gauntlet.blocks")
        String topic();

        /** The consumer group of all compactors of one bucket. */
        @WithDefault("gauntlet-compactor")
        String groupId();

        /**
         * {@code true}: this process consumes the block events itself (and syncs its groups periodically);
         * {@code false}: events are delivered to it as CloudEvents over HTTP ({@code POST /}, a Knative KafkaSource) and
         * Kafka only carries the events it publishes.
         */
        @WithDefault("true")
        boolean consume();
    }
}
