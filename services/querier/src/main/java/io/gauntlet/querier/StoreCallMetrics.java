package io.gauntlet.querier;

import io.gauntlet.query.FanOutObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

/** Per-store fan-out latency and errors, for the HTTP API's queries and the StoreAPI's calls alike. */
@ApplicationScoped
public class StoreCallMetrics implements FanOutObserver {
    @Inject
    MeterRegistry meters;

    // looked up once: building a meter id and finding it in the registry costs every call otherwise
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

    @Override
    public void completed(String store, String call, long nanos, boolean failed) {
        timers.computeIfAbsent(store + ' ' + call, k -> Timer.builder("gauntlet_querier_store_call_duration")
                .description("Time of one store call of a query, until its last frame")
                .tag("store", store).tag("call", call).publishPercentileHistogram().register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
        if (failed) {
            meters.counter("gauntlet_querier_store_call_failures", "store", store, "call", call).increment();
        }
    }
}
