package io.gauntlet.frontend.cache;

import com.spotify.folsom.ExponentialBackoff;
import com.spotify.folsom.MemcacheClient;
import com.spotify.folsom.MemcacheClientBuilder;
import com.spotify.folsom.MemcacheStatus;
import com.spotify.folsom.Resolver;
import com.spotify.folsom.SrvResolver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code MEMCACHED} results cache over Spotify's folsom client (Netty, memcached's text protocol, Ketama hashing
 * over every address). Addresses as Thanos takes them: {@code host:port}, {@code dns+host:port} (every A/AAAA record),
 * {@code dnssrv+_service._tcp.name} (SRV records), resolved again every {@code dns_provider_update_interval}. A
 * memcached that is down or slow answers as a miss (and stores are dropped), counted in Thanos' metric names.
 */
public final class MemcachedResultsCache implements ResultsCache {
    private static final System.Logger LOG = System.getLogger(MemcachedResultsCache.class.getName());
    private static final String NAME = "response-cache";
    private static final long THIRTY_DAYS_SECONDS = 30L * 24 * 3600;

    private final MemcacheClient<byte[]> client;
    private final ResultsCacheConfig.Memcached config;
    private final Semaphore pendingStores;
    private final Counter requests;
    private final Counter hits;
    private final Counter getMultiOperations;
    private final Counter setOperations;
    private final Counter getMultiFailures;
    private final Counter setFailures;
    private final Counter setSkipped;
    private final Counter setTooLarge;
    private final Timer getMultiDuration;
    private final AtomicLong lastFailureLog = new AtomicLong();

    public MemcachedResultsCache(ResultsCacheConfig.Memcached config, MeterRegistry meters) {
        if (config.addresses().isEmpty()) {
            throw new IllegalArgumentException("a MEMCACHED cache needs addresses");
        }
        this.config = config;
        this.pendingStores = new Semaphore(config.maxAsyncBufferSize());
        this.client = MemcacheClientBuilder.newByteArrayClient()
                .withResolver(new AddressResolver(config.addresses()))
                .withResolveRefreshPeriod(config.dnsProviderUpdateInterval().toMillis())
                .withRequestTimeoutMillis(config.timeout().toMillis())
                .withConnectionTimeoutMillis(Math.max(1000, config.timeout().toMillis()))
                .withMaxOutstandingRequests(Math.max(1000, config.maxAsyncBufferSize() + config.maxGetMultiConcurrency()))
                .withMaxSetLength((int) Math.min(Integer.MAX_VALUE, config.maxItemSize()))
                .withRetry(false)
                // folsom's default backs off up to a minute: a memcached that is back is used again within a second
                .withBackoff(new ExponentialBackoff(10, 1000, 2.5))
                .connectAscii();
        this.requests = Counter.builder("thanos_cache_memcached_requests").tag("name", NAME)
                .description("Total number of items requests to memcached.").register(meters);
        this.hits = Counter.builder("thanos_cache_memcached_hits").tag("name", NAME)
                .description("Total number of items requests to the cache that were a hit.").register(meters);
        this.getMultiOperations = operations(meters, "getmulti");
        this.setOperations = operations(meters, "set");
        this.getMultiFailures = failures(meters, "getmulti");
        this.setFailures = failures(meters, "set");
        this.setSkipped = Counter.builder("thanos_memcached_operation_skipped").tag("name", NAME).tag("operation", "set")
                .tag("reason", "max-async-buffer-size-reached").description("Total number of operations against memcached that have been skipped.")
                .register(meters);
        this.setTooLarge = Counter.builder("thanos_memcached_operation_skipped").tag("name", NAME).tag("operation", "set")
                .tag("reason", "max-item-size").description("Total number of operations against memcached that have been skipped.")
                .register(meters);
        this.getMultiDuration = Timer.builder("thanos_memcached_operation_duration").tag("name", NAME).tag("operation", "getmulti")
                .description("Duration of operations against memcached.").publishPercentileHistogram().register(meters);
        LOG.log(System.Logger.Level.INFO, "results cache in memcached at {0} (timeout {1}, max item size {2} bytes, expiration {3})",
                config.addresses(), config.timeout(), config.maxItemSize(), config.expiration());
    }

    private static Counter operations(MeterRegistry meters, String operation) {
        return Counter.builder("thanos_memcached_operations").tag("name", NAME).tag("operation", operation)
                .description("Total number of operations against memcached.").register(meters);
    }

    private static Counter failures(MeterRegistry meters, String operation) {
        return Counter.builder("thanos_memcached_operation_failures").tag("name", NAME).tag("operation", operation)
                .description("Total number of operations against memcached that failed.").register(meters);
    }

    @Override
    public Map<String, byte[]> fetch(List<String> keys) {
        if (keys.isEmpty()) {
            return Map.of();
        }
        requests.increment(keys.size());
        getMultiOperations.increment();
        long started = System.nanoTime();
        Map<String, byte[]> found = new HashMap<>();
        try {
            List<byte[]> values = client.get(keys).toCompletableFuture().get(config.timeout().toMillis() * 2, TimeUnit.MILLISECONDS);
            for (int i = 0; i < keys.size(); i++) {
                if (values.get(i) != null) {
                    found.put(keys.get(i), values.get(i));
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            getMultiFailures.increment();
            logFailure("get", e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            getMultiDuration.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        hits.increment(found.size());
        return found;
    }

    @Override
    public void store(String key, byte[] value) {
        if (value.length > config.maxItemSize()) {
            setTooLarge.increment();
            return;
        }
        if (!pendingStores.tryAcquire()) {
            setSkipped.increment();
            return;
        }
        setOperations.increment();
        client.set(key, value, expirationSeconds()).whenComplete((status, error) -> {
            pendingStores.release();
            if (error != null || status != MemcacheStatus.OK) {
                setFailures.increment();
                logFailure("set", error != null ? error : new IllegalStateException("memcached answered " + status));
            }
        });
    }

    /** Memcached reads an expiration above 30 days as a Unix time. */
    private int expirationSeconds() {
        long seconds = config.expiration().toSeconds();
        if (seconds > THIRTY_DAYS_SECONDS) {
            seconds += System.currentTimeMillis() / 1000;
        }
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }

    /** One line per kind of failure and 10 s: an outage would otherwise log every request. */
    private void logFailure(String operation, Throwable error) {
        long now = System.currentTimeMillis();
        long last = lastFailureLog.get();
        if (now - last > 10_000 && lastFailureLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "memcached {0} failed (answered as a miss, the results are computed downstream): {1}",
                    operation, error == null ? "unknown" : error.toString());
        }
    }

    @Override
    public long maxItemSize() {
        return config.maxItemSize();
    }

    @Override
    public void close() {
        client.shutdown();
    }

    /** Thanos' address forms resolved into memcached servers. */
    static final class AddressResolver implements Resolver {
        private final List<String> addresses;

        AddressResolver(List<String> addresses) {
            this.addresses = List.copyOf(addresses);
        }

        @Override
        public List<ResolveResult> resolve() {
            List<ResolveResult> out = new ArrayList<>();
            for (String address : addresses) {
                try {
                    if (address.startsWith("dnssrv+")) {
                        out.addAll(SrvResolver.newBuilder(address.substring("dnssrv+".length())).build().resolve());
                    } else if (address.startsWith("dns+")) {
                        HostPort hostPort = HostPort.parse(address.substring("dns+".length()));
                        for (InetAddress resolved : InetAddress.getAllByName(hostPort.host)) {
                            out.add(new ResolveResult(resolved.getHostAddress(), hostPort.port, 0));
                        }
                    } else {
                        HostPort hostPort = HostPort.parse(address);
                        out.add(new ResolveResult(hostPort.host, hostPort.port, Long.MAX_VALUE));
                    }
                } catch (UnknownHostException | RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot resolve memcached address {0}: {1}", address, e.getMessage());
                }
            }
            return out;
        }
    }

    private record HostPort(String host, int port) {
        static HostPort parse(String address) {
            int colon = address.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("memcached address " + address + " has no port");
            }
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new HostPort(host, Integer.parseInt(address.substring(colon + 1)));
        }
    }

    /** For tests and readiness: whether a connection to some memcached is open. */
    public boolean connected() {
        return client.isConnected();
    }

}
