package io.gauntlet.frontend.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import io.gauntlet.frontend.GoDuration;
import java.util.regex.Pattern;

/**
 * Thanos' response cache configuration ({@code --query-range.response-cache-config}), unchanged:
 * <pre>
 * type: IN-MEMORY        # or MEMCACHED
 * config:
 *   max_size: 1GB        # IN-MEMORY: max_size, max_size_items, validity
 *   addresses: [...]     # MEMCACHED: addresses, timeout, max_idle_connections, max_async_concurrency,
 *                        #   max_async_buffer_size, max_get_multi_concurrency, max_get_multi_batch_size,
 *                        #   max_item_size, dns_provider_update_interval, expiration
 * </pre>
 */
public sealed interface ResultsCacheConfig {
    record InMemory(long maxSizeBytes, int maxSizeItems, Duration validity) implements ResultsCacheConfig {
    }

    record Memcached(List<String> addresses, Duration timeout, int maxIdleConnections, int maxAsyncConcurrency,
                     int maxAsyncBufferSize, int maxGetMultiConcurrency, int maxGetMultiBatchSize, long maxItemSize,
                     Duration dnsProviderUpdateInterval, Duration expiration) implements ResultsCacheConfig {
    }

    /** A configuration Thanos would refuse, with what is wrong. */
    final class InvalidConfigException extends IllegalArgumentException {
        InvalidConfigException(String message) {
            super(message);
        }
    }

    Set<String> IN_MEMORY_KEYS = Set.of("max_size", "max_size_items", "validity");
    Set<String> MEMCACHED_KEYS = Set.of("addresses", "timeout", "max_idle_connections", "max_async_concurrency", "max_async_buffer_size",
            "max_get_multi_concurrency", "max_get_multi_batch_size", "max_item_size", "dns_provider_update_interval", "expiration",
            "auto_discovery");

    static ResultsCacheConfig load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read response cache config " + file + ": " + e.getMessage());
        }
    }

    static ResultsCacheConfig parse(String yaml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        } catch (IOException e) {
            throw new InvalidConfigException("parsing response cache config YAML: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new InvalidConfigException("response cache config must be a YAML mapping with type and config");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("type") && !name.equals("config")) {
                throw new InvalidConfigException("response cache config: field " + name + " not found in type queryfrontend.CacheProviderConfig");
            }
        }
        String type = root.path("type").asText("").toUpperCase(Locale.ROOT);
        JsonNode config = root.path("config");
        return switch (type) {
            case "IN-MEMORY" -> {
                checkKeys(config, IN_MEMORY_KEYS, "IN-MEMORY");
                long maxSize = config.has("max_size") ? parseBytes(config.path("max_size").asText()) : 0;
                int maxItems = config.path("max_size_items").asInt(0);
                if (maxSize <= 0 && maxItems <= 0) {
                    throw new InvalidConfigException("IN-MEMORY response cache needs max_size or max_size_items");
                }
                yield new InMemory(maxSize, maxItems, duration(config, "validity", Duration.ZERO));
            }
            case "MEMCACHED" -> {
                checkKeys(config, MEMCACHED_KEYS, "MEMCACHED");
                if (config.path("auto_discovery").asBoolean(false)) {
                    throw new InvalidConfigException("MEMCACHED auto_discovery (AWS ElastiCache) is not supported: list the nodes in addresses");
                }
                List<String> addresses = new ArrayList<>();
                config.path("addresses").forEach(node -> addresses.add(node.asText()));
                if (addresses.isEmpty()) {
                    throw new InvalidConfigException("no memcached addresses provided");
                }
                Duration expiration = duration(config, "expiration", Duration.ofHours(24));
                Duration dnsInterval = duration(config, "dns_provider_update_interval", Duration.ofSeconds(10));
                int asyncConcurrency = config.path("max_async_concurrency").asInt(10);
                yield new Memcached(List.copyOf(addresses), duration(config, "timeout", Duration.ofMillis(500)),
                        config.path("max_idle_connections").asInt(100), asyncConcurrency <= 0 ? 10 : asyncConcurrency,
                        config.path("max_async_buffer_size").asInt(10000), config.path("max_get_multi_concurrency").asInt(100),
                        config.path("max_get_multi_batch_size").asInt(0),
                        config.has("max_item_size") ? parseBytes(config.path("max_item_size").asText()) : 1024 * 1024,
                        dnsInterval.isZero() || dnsInterval.isNegative() ? Duration.ofSeconds(10) : dnsInterval,
                        expiration.isZero() || expiration.isNegative() ? Duration.ofHours(24) : expiration);
            }
            case "REDIS" -> throw new InvalidConfigException("response cache with type REDIS is not supported here: use IN-MEMORY or MEMCACHED");
            default -> throw new InvalidConfigException("response cache with type " + root.path("type").asText("") + " is not supported");
        };
    }

    /** The cache this configuration describes. */
    static ResultsCache create(ResultsCacheConfig config, Clock clock, MeterRegistry meters) {
        return switch (config) {
            case InMemory memory -> new InMemoryResultsCache(memory.maxSizeBytes(), memory.maxSizeItems(), memory.validity(), clock, meters);
            case Memcached memcached -> new MemcachedResultsCache(memcached, meters);
        };
    }

    /** How long a cached value can live: the invalidation log must cover it. Zero: until evicted. */
    default Duration validity() {
        return switch (this) {
            case InMemory memory -> memory.validity();
            case Memcached memcached -> memcached.expiration();
        };
    }

    private static void checkKeys(JsonNode config, Set<String> known, String type) {
        if (config.isMissingNode() || config.isNull()) {
            return;
        }
        if (!config.isObject()) {
            throw new InvalidConfigException(type + " response cache config must be a mapping");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = config.fields(); fields.hasNext(); ) {
            String name = fields.next().getKey();
            if (!known.contains(name)) {
                throw new InvalidConfigException(type + " response cache config: field " + name + " not found (known: " + String.join(", ",
                        known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static Duration duration(JsonNode config, String name, Duration absent) {
        JsonNode node = config.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return absent;
        }
        try {
            return GoDuration.parse(node.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("response cache config " + name + ": " + e.getMessage());
        }
    }

    Pattern BYTES = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kmgtpe]?)(i?)(b?)\\s*");

    /** {@code 1GB}, {@code 512MiB}, {@code 1048576}: binary units as Thanos' byte sizes read them. */
    static long parseBytes(String text) {
        Matcher matcher = BYTES.matcher(text);
        if (!matcher.matches()) {
            throw new InvalidConfigException("cannot parse byte size \"" + text + "\" (e.g. 1GB, 512MiB, 1048576)");
        }
        int power = "kmgtpe".indexOf(matcher.group(2).toLowerCase(Locale.ROOT)) + 1;
        return new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(1024).pow(power)).longValue();
    }
}
