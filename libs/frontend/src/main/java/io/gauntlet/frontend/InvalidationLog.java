package io.gauntlet.frontend;

import io.gauntlet.tsdb.Labels;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the results cache knows about changes to stored data: every block event (uploaded, marked for deletion,
 * deleted) as its time range and external labels, stamped with when it arrived here. A cached extent is stale when an
 * event that touches it arrived after — or less than {@code grace} before — its computation started (the grace covers
 * the store gateways loading the same block in the meantime).
 *
 * <p>Events only prove an extent fresh while they flow: before the consumer had its partitions, or while Kafka is
 * unreachable or the consumer lags, an extent is trusted only for {@code ttlWithoutEvents} after its computation, as
 * Thanos' cache would be with a validity.
 */
public final class InvalidationLog {
    private static final System.Logger LOG = System.getLogger(InvalidationLog.class.getName());

    /** One block event as the cache sees it. */
    public record Change(long minTime, long maxTime, Labels externalLabels, long arrivedAt) {
    }

    private final Clock clock;
    private final Duration grace;
    private final Duration ttlWithoutEvents;
    private final Duration retention;
    private final int maxEntries;
    private final ArrayDeque<Change> changes = new ArrayDeque<>();
    /** Extents computed before this (ms) are stale: older changes were dropped from the log. */
    private long floor = Long.MIN_VALUE;
    /** From when on events are known to reach this log (ms); MAX_VALUE until the consumer is positioned. */
    private volatile long coverageStart = Long.MAX_VALUE;
    private volatile boolean live;

    /**
     * @param retention  how long changes are kept: the longest an extent lives in the cache (zero: until
     *                   {@code maxEntries} is reached, then the oldest go and extents computed before them are stale)
     */
    public InvalidationLog(Clock clock, Duration grace, Duration ttlWithoutEvents, Duration retention, int maxEntries) {
        this.clock = clock;
        this.grace = grace;
        this.ttlWithoutEvents = ttlWithoutEvents;
        this.retention = retention;
        this.maxEntries = maxEntries;
    }

    /** Records a block change now. */
    public synchronized void add(long minTime, long maxTime, Labels externalLabels) {
        long now = clock.millis();
        changes.addLast(new Change(minTime, maxTime, externalLabels, now));
        while (!changes.isEmpty()) {
            Change oldest = changes.peekFirst();
            if (changes.size() > maxEntries) {
                changes.removeFirst();
                floor = Math.max(floor, oldest.arrivedAt + grace.toMillis());
            } else if (!retention.isZero() && oldest.arrivedAt < now - retention.toMillis() - grace.toMillis()) {
                changes.removeFirst(); // every extent it could make stale has left the cache
            } else {
                break;
            }
        }
    }

    /**
     * Whether an extent of answers at times {@code [from, to]}, computed at {@code computedAt}, may be served: no change
     * it could see arrived since (or within the grace before), and either events flowed all along or it is young.
     */
    public boolean fresh(QueryFootprint footprint, long from, long to, long computedAt) {
        long now = clock.millis();
        boolean covered = live && computedAt >= coverageStart;
        if (!covered && now - computedAt >= ttlWithoutEvents.toMillis()) {
            return false;
        }
        return !changedSince(footprint, from, to, computedAt);
    }

    /** Whether a change that the footprint sees in {@code [from, to]} arrived after {@code computedAt - grace}. */
    public synchronized boolean changedSince(QueryFootprint footprint, long from, long to, long computedAt) {
        if (computedAt <= floor) {
            return true;
        }
        long since = computedAt - grace.toMillis();
        var newestFirst = changes.descendingIterator();
        while (newestFirst.hasNext()) {
            Change change = newestFirst.next();
            if (change.arrivedAt < since) {
                break;
            }
            if (footprint.affects(change.minTime, change.maxTime, change.externalLabels, from, to)) {
                return true;
            }
        }
        return false;
    }

    /** Events reach this log from now on (the consumer has its partitions at the latest offsets). */
    public void coverageStarted() {
        if (coverageStart == Long.MAX_VALUE) {
            // a block announced just before the consumer was positioned may still be loading: count from after the grace
            coverageStart = clock.millis() + grace.toMillis();
        }
    }

    /** Whether events flow (consumer connected and caught up); without them extents live for the TTL only. */
    public void setLive(boolean nowLive, String reason) {
        if (nowLive != live) {
            live = nowLive;
            if (nowLive) {
                LOG.log(System.Logger.Level.INFO, "block events flow again: cached extents stay valid until an event touches them");
            } else {
                LOG.log(System.Logger.Level.WARNING, "block events are not flowing ({0}): cached extents are used for at most {1} after "
                        + "they were computed (cache-ttl-without-events) until they flow again", reason, GoDuration.format(ttlWithoutEvents));
            }
        }
    }

    public boolean live() {
        return live;
    }

    public synchronized int size() {
        return changes.size();
    }

    public synchronized List<Change> changes() {
        return new ArrayList<>(changes);
    }

    public Duration grace() {
        return grace;
    }
}
