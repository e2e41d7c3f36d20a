package io.gauntlet.query;

import io.gauntlet.proto.thanos.ZLabelSet;
import io.gauntlet.proto.thanos.info.InfoResponse;
import io.gauntlet.store.CorruptedBlock;
import io.gauntlet.store.CorruptedBlocksHeader;
import io.gauntlet.store.SnappyCodec;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreException;
import io.gauntlet.store.StoreFanOut;
import io.gauntlet.tsdb.LabelMatcher;
import io.gauntlet.store.StoreWire;
import io.gauntlet.tsdb.Labels;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * The StoreAPI endpoints a querier fans out to (Thanos' endpoint set): static {@code host:port} addresses,
 * {@code dns+host:port} (A/AAAA) and {@code dnssrv+_grpc._tcp.name} (SRV) names re-resolved on every refresh, and the
 * specs of an endpoints file read again on every refresh. Each endpoint's Info is polled; failing endpoints are marked
 * unhealthy and skipped, discovered ones are dropped after {@code unhealthyTimeout} without an answer, those that left
 * the endpoints file at once. An endpoint that leads back to this querier (it is this querier, or reaches it through
 * other queriers: {@link QuerierLoopGuard}) is refused: unhealthy, with the reason as its error.
 */
public final class EndpointSet implements AutoCloseable {
    /**
     * What the stores page and {@code /api/v1/stores} show for one endpoint; {@code corruptedBlocks} are the blocks a
     * Gauntlet store gateway leaves out of its answers (from its last Info), {@code corruptedBlocksTotal} counts them
     * all when more were reported than fit.
     */
    public record EndpointStatus(String name, String spec, String componentType, List<Labels> labelSets, long minTime,
            long maxTime, boolean healthy, String lastError, Instant lastCheck, List<CorruptedBlock> corruptedBlocks,
            long corruptedBlocksTotal, List<String> apis) {
        public EndpointStatus {
            corruptedBlocks = List.copyOf(corruptedBlocks);
            apis = List.copyOf(apis);
        }
    }

    /** The APIs an Info answer advertises, by the names of its sections (store, rules, metric_metadata, …). */
    static List<String> advertisedApis(InfoResponse info) {
        if (info == null) {
            return List.of();
        }
        List<String> apis = new ArrayList<>();
        if (info.hasStore()) {
            apis.add("store");
        }
        if (info.hasRules()) {
            apis.add("rules");
        }
        if (info.hasMetricMetadata()) {
            apis.add("metric_metadata");
        }
        if (info.hasTargets()) {
            apis.add("targets");
        }
        if (info.hasExemplars()) {
            apis.add("exemplars");
        }
        if (info.hasQuery()) {
            apis.add("query");
        }
        return apis;
    }

    private static final Logger LOG = Logger.getLogger(EndpointSet.class.getName());

    private final List<String> specs;
    private final Supplier<List<String>> fileSpecs;
    private final QuerierLoopGuard loopGuard;
    private final Duration callTimeout;
    private final Duration infoTimeout;
    private final Duration unhealthyTimeout;
    private final Clock clock;
    private final Function<String, List<String>> hostResolver;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final ExecutorService pollers = Executors.newVirtualThreadPerTaskExecutor();
    private ScheduledExecutorService schedule;
    private volatile ChannelCredentials credentials = InsecureChannelCredentials.create();
    private volatile String authority;

    private final class Entry {
        final String spec;
        final ManagedChannel channel;
        final Channel calls;
        final StoreClient client;
        final StoreClient infoClient;
        final AtomicBoolean polling = new AtomicBoolean();
        volatile InfoResponse info;
        volatile CorruptedBlocksHeader.Report corruptedBlocks = CorruptedBlocksHeader.Report.NONE;
        volatile boolean healthy;
        volatile String lastError = "";
        volatile Instant lastCheck;
        volatile Instant lastHealthy;
        volatile List<String> reachedQueriers = List.of(); // the endpoint's own id first, as its last answer told
        volatile boolean looping;
        final boolean discovered;
        final boolean fromFile;

        void close() {
            channel.shutdownNow();
        }

        Entry(String address, String spec, Duration callTimeout, Duration infoTimeout, boolean discovered, boolean fromFile,
                QuerierLoopGuard loopGuard, Instant now) {
            this.spec = spec;
            // one channel, two deadlines: Series and label calls get the query timeout, Info polls a short one
            ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(address, credentials);
            if (authority != null) {
                builder.overrideAuthority(authority); // the name the server's certificate must carry
            }
            this.channel = builder
                    .maxInboundMessageSize(Integer.MAX_VALUE)
                    .compressorRegistry(SnappyCodec.compressors())
                    .decompressorRegistry(SnappyCodec.decompressors())
                    .disableRetry() // no call is retried, and the retry buffering costs every call
                    .build();
            this.calls = ClientInterceptors.intercept(channel, loopGuard.clientInterceptor(reached -> reachedQueriers = reached));
            this.client = new StoreClient(address, calls, callTimeout);
            this.infoClient = new StoreClient(address, calls, infoTimeout);
            this.discovered = discovered;
            this.fromFile = fromFile;
            this.lastHealthy = now;
        }
    }

    /**
     * @param specs       endpoint addresses: {@code host:port}, {@code dns+host:port}, {@code dnssrv+name}
     * @param callTimeout deadline of every Series and label call (the query timeout)
     */
    public EndpointSet(List<String> specs, Duration callTimeout, Duration infoTimeout, Duration unhealthyTimeout) {
        this(specs, List::of, new QuerierLoopGuard(), callTimeout, infoTimeout, unhealthyTimeout);
    }

    /**
     * @param fileSpecs the specs of the endpoints file, asked on every refresh (e.g. {@link EndpointsFile#specs()})
     * @param loopGuard this querier's id: endpoints that lead back to it are refused
     */
    public EndpointSet(List<String> specs, Supplier<List<String>> fileSpecs, QuerierLoopGuard loopGuard, Duration callTimeout,
            Duration infoTimeout, Duration unhealthyTimeout) {
        this(specs, fileSpecs, loopGuard, callTimeout, infoTimeout, unhealthyTimeout, Clock.systemUTC(), EndpointSet::resolveHost);
    }

    EndpointSet(List<String> specs, Duration callTimeout, Duration infoTimeout, Duration unhealthyTimeout, Clock clock,
            Function<String, List<String>> hostResolver) {
        this(specs, List::of, new QuerierLoopGuard(), callTimeout, infoTimeout, unhealthyTimeout, clock, hostResolver);
    }

    private EndpointSet(List<String> specs, Supplier<List<String>> fileSpecs, QuerierLoopGuard loopGuard, Duration callTimeout,
            Duration infoTimeout, Duration unhealthyTimeout, Clock clock, Function<String, List<String>> hostResolver) {
        this.specs = List.copyOf(specs);
        for (String spec : this.specs) {
            validate(spec);
        }
        this.fileSpecs = Objects.requireNonNull(fileSpecs, "fileSpecs");
        this.loopGuard = Objects.requireNonNull(loopGuard, "loopGuard");
        this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
        this.infoTimeout = Objects.requireNonNull(infoTimeout, "infoTimeout");
        this.unhealthyTimeout = Objects.requireNonNull(unhealthyTimeout, "unhealthyTimeout");
        this.clock = clock;
        this.hostResolver = hostResolver;
    }

    /** Throws IllegalArgumentException naming the spec when it is no endpoint address. */
    public static void validate(String spec) {
        String address = spec.startsWith("dns+") ? spec.substring(4) : spec;
        if (spec.startsWith("dnssrv+") || spec.startsWith("dnssrvnoa+")) {
            if (spec.indexOf('+') == spec.length() - 1) {
                throw new IllegalArgumentException("endpoint " + spec + ": no SRV name");
            }
            return;
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("endpoint " + spec + ": expected host:port");
        }
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("endpoint " + spec + ": port out of range");
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("endpoint " + spec + ": port is not a number", e);
        }
    }

    /** Refreshes now, then every {@code interval} on a daemon thread. */
    public synchronized void start(Duration interval) {
        if (schedule != null) {
            return;
        }
        schedule = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("endpoint-set").factory());
        schedule.scheduleWithFixedDelay(this::refreshQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Refreshes soon on the refresh thread (e.g. the endpoints file changed); nothing before {@link #start}. */
    public void refreshSoon() {
        synchronized (this) {
            if (schedule != null && !schedule.isShutdown()) {
                schedule.execute(this::refreshQuietly);
            }
        }
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            // the next round retries; a refresh never takes the schedule down
        }
    }

    /** Resolves the specs, connects new addresses, polls every Info (in parallel) and waits for the answers. */
    public void refresh() {
        Map<String, String> targets = new LinkedHashMap<>(); // address -> spec
        Set<String> staticTargets = new LinkedHashSet<>();
        Set<String> fileTargets = new LinkedHashSet<>();
        for (String spec : specs) {
            for (String address : resolve(spec)) {
                targets.putIfAbsent(address, spec);
                if (!spec.contains("+")) {
                    staticTargets.add(address);
                }
            }
        }
        for (String spec : fileSpecs.get()) {
            for (String address : resolve(spec)) {
                if (targets.putIfAbsent(address, spec) == null) {
                    fileTargets.add(address);
                }
            }
        }
        Instant now = clock.instant();
        List<Entry> toPoll = new ArrayList<>();
        synchronized (entries) {
            for (var target : targets.entrySet()) {
                entries.computeIfAbsent(target.getKey(), address -> new Entry(address, target.getValue(), callTimeout,
                        infoTimeout, !staticTargets.contains(address), fileTargets.contains(address), loopGuard, now));
            }
            // unhealthy discovered addresses that no longer resolve go away at once, as do those taken out of the file
            entries.entrySet().removeIf(e -> {
                boolean gone = e.getValue().discovered && !targets.containsKey(e.getKey())
                        && (!e.getValue().healthy || e.getValue().fromFile);
                if (gone) {
                    e.getValue().close();
                }
                return gone;
            });
            toPoll.addAll(entries.values());
        }
        List<Future<?>> polls = new ArrayList<>();
        for (Entry entry : toPoll) {
            if (entry.polling.compareAndSet(false, true)) {
                polls.add(pollers.submit(() -> poll(entry)));
            }
        }
        for (Future<?> poll : polls) {
            try {
                poll.get(infoTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // a hanging Info is marked when it ends; others are still checked
            }
        }
        Instant after = clock.instant();
        synchronized (entries) {
            entries.entrySet().removeIf(e -> {
                Entry entry = e.getValue();
                boolean drop = entry.discovered && !entry.healthy
                        && Duration.between(entry.lastHealthy, after).compareTo(unhealthyTimeout) > 0;
                if (drop) {
                    entry.close();
                }
                return drop;
            });
        }
    }

    private void poll(Entry entry) {
        try {
            StoreClient.InfoAnswer answer = entry.infoClient.infoWithCorruptedBlocks();
            entry.corruptedBlocks = answer.corruptedBlocks();
            entry.info = answer.info();
            // the Info answer's headers have just told whom the endpoint reaches
            List<String> reached = entry.reachedQueriers;
            if (reached.contains(loopGuard.id())) {
                String reason = "refused: querying this endpoint would loop back to this querier (id " + loopGuard.id() + "): "
                        + (reached.getFirst().equals(loopGuard.id()) ? "it is this querier itself"
                                : "it is querier " + reached.getFirst() + ", whose endpoints lead back to this querier");
                if (!entry.looping) {
                    LOG.warning("endpoint " + entry.client.name() + " (" + entry.spec + ") " + reason);
                }
                entry.looping = true;
                entry.healthy = false;
                entry.lastError = reason;
                return;
            }
            entry.looping = false;
            entry.healthy = true;
            entry.lastError = "";
            entry.lastHealthy = clock.instant();
        } catch (StoreException | RuntimeException e) {
            entry.looping = false;
            entry.healthy = false;
            entry.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
        } finally {
            entry.lastCheck = clock.instant();
            entry.polling.set(false);
        }
    }

    private List<String> resolve(String spec) {
        try {
            if (spec.startsWith("dns+")) {
                String address = spec.substring(4);
                int colon = address.lastIndexOf(':');
                String port = address.substring(colon + 1);
                List<String> out = new ArrayList<>();
                for (String ip : hostResolver.apply(address.substring(0, colon))) {
                    out.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
                }
                return out;
            }
            if (spec.startsWith("dnssrv+") || spec.startsWith("dnssrvnoa+")) {
                boolean resolveTargets = spec.startsWith("dnssrv+");
                List<String> out = new ArrayList<>();
                for (String[] record : srvRecords(spec.substring(spec.indexOf('+') + 1))) {
                    String target = record[0];
                    if (!resolveTargets) {
                        out.add(target + ":" + record[1]);
                        continue;
                    }
                    for (String ip : hostResolver.apply(target)) {
                        out.add((ip.contains(":") ? "[" + ip + "]" : ip) + ":" + record[1]);
                    }
                }
                return out;
            }
        } catch (RuntimeException e) {
            return List.of(); // resolution failed this round: discovered endpoints age out as unhealthy
        }
        return List.of(spec);
    }

    private static List<String> resolveHost(String host) {
        try {
            List<String> out = new ArrayList<>();
            for (InetAddress address : InetAddress.getAllByName(host)) {
                out.add(address.getHostAddress());
            }
            return out;
        } catch (UnknownHostException e) {
            throw new IllegalStateException("cannot resolve " + host, e);
        }
    }

    /** SRV records as [target, port]. */
    private static List<String[]> srvRecords(String name) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        try {
            DirContext context = new InitialDirContext(env);
            try {
                Attribute srv = context.getAttributes(name, new String[] {"SRV"}).get("SRV");
                List<String[]> out = new ArrayList<>();
                if (srv == null) {
                    return out;
                }
                NamingEnumeration<?> values = srv.getAll();
                while (values.hasMore()) {
                    String[] fields = values.next().toString().trim().split("\\s+"); // priority weight port target
                    String target = fields[3].endsWith(".") ? fields[3].substring(0, fields[3].length() - 1) : fields[3];
                    out.add(new String[] {target, fields[2]});
                }
                return out;
            } finally {
                context.close();
            }
        } catch (NamingException e) {
            throw new IllegalStateException("SRV lookup of " + name + " failed: " + e.getMessage(), e);
        }
    }

    /** The ids of the queriers this querier's endpoints reach (refused ones too), for {@link QuerierLoopGuard}. */
    public Set<String> reachableQueriers() {
        Set<String> out = new LinkedHashSet<>();
        synchronized (entries) {
            for (Entry entry : entries.values()) {
                out.addAll(entry.reachedQueriers);
            }
        }
        return out;
    }

    /** Endpoints refused because they lead back to this querier. */
    public int loopingEndpoints() {
        synchronized (entries) {
            return (int) entries.values().stream().filter(entry -> entry.looping).count();
        }
    }

    /** Healthy endpoints with their last Info, for fan-out. */
    /**
     * The fanned-out APIs a querier offers one level up, for its Info: exemplars (the endpoints' time range), targets,
     * rules and status when at least one healthy endpoint offers them now (Thanos' querier announces them always).
     */
    public InfoResponse fannedOutApis() {
        InfoResponse.Builder apis = InfoResponse.newBuilder();
        for (StoreFanOut.Endpoint endpoint : healthy()) {
            var info = endpoint.info();
            if (info.hasExemplars()) {
                var exemplars = info.getExemplars();
                apis.setExemplars(apis.hasExemplars()
                        ? apis.getExemplars().toBuilder().setMinTime(Math.min(apis.getExemplars().getMinTime(), exemplars.getMinTime()))
                                .setMaxTime(Math.max(apis.getExemplars().getMaxTime(), exemplars.getMaxTime())).build()
                        : exemplars);
            }
            if (info.hasTargets()) {
                apis.setTargets(info.getTargets());
            }
            if (info.hasRules()) {
                apis.setRules(info.getRules());
            }
            if (info.hasStatus()) {
                apis.setStatus(info.getStatus());
            }
        }
        return apis.build();
    }

    public List<StoreFanOut.Endpoint> healthy() {
        List<StoreFanOut.Endpoint> out = new ArrayList<>();
        synchronized (entries) {
            for (Entry entry : entries.values()) {
                if (entry.healthy && entry.info != null) {
                    out.add(new StoreFanOut.Endpoint(entry.client, entry.info));
                }
            }
        }
        return out;
    }

    /**
     * A configured endpoint that is down (not one refused as a loop): what it holds is missing from answers, so a query
     * that may need it says so instead of answering without it. {@code lastInfo} is null for an endpoint never reached,
     * which may hold anything.
     */
    public record Unreachable(String name, InfoResponse lastInfo, String lastError) {
        /** Whether the endpoint, as its last Info described it, may hold series for the request. */
        public boolean mayMatch(long minTime, long maxTime, List<LabelMatcher> matchers) {
            return lastInfo == null || new StoreFanOut.Endpoint(null, lastInfo).mayMatch(minTime, maxTime, matchers);
        }

        /** The warning (or, without partial response, the error) a query that may need it gets. */
        public StoreException failure() {
            return new StoreException(name, "UNAVAILABLE", "not asked: the endpoint is unreachable"
                    + (lastError.isEmpty() ? " (not reached yet)" : " (" + lastError + ")") + ", so its series may be missing", null);
        }
    }

    /** Endpoints that are down, with what they last said about themselves. */
    public List<Unreachable> unreachable() {
        List<Unreachable> out = new ArrayList<>();
        synchronized (entries) {
            for (Entry entry : entries.values()) {
                if (!entry.healthy && !entry.looping) {
                    out.add(new Unreachable(entry.client.name(), entry.info, entry.lastError));
                }
            }
        }
        return out;
    }

    /** Whether the store advertised that it drops replica labels itself. */
    public static boolean supportsWithoutReplicaLabels(StoreFanOut.Endpoint endpoint) {
        return endpoint.info().hasStore() && endpoint.info().getStore().getSupportsWithoutReplicaLabels();
    }

    public List<EndpointStatus> statuses() {
        List<EndpointStatus> out = new ArrayList<>();
        synchronized (entries) {
            for (Entry entry : entries.values()) {
                InfoResponse info = entry.info;
                List<Labels> labelSets = new ArrayList<>();
                long minTime = Long.MIN_VALUE;
                long maxTime = Long.MAX_VALUE;
                String type = "";
                if (info != null) {
                    for (ZLabelSet set : info.getLabelSetsList()) {
                        labelSets.add(StoreWire.fromWire(set.getLabelsList()));
                    }
                    type = info.getComponentType();
                    if (info.hasStore()) {
                        minTime = info.getStore().getMinTime();
                        maxTime = info.getStore().getMaxTime();
                    }
                }
                out.add(new EndpointStatus(entry.client.name(), entry.spec, type, labelSets, minTime, maxTime, entry.healthy,
                        entry.lastError, entry.lastCheck, entry.corruptedBlocks.blocks(), entry.corruptedBlocks.total(), advertisedApis(info)));
            }
        }
        return out;
    }

    /**
     * How the channels to the endpoints connect (plain text unless told; TLS credentials from {@code GrpcClientTls})
     * and, when set, the server name their certificates must carry. Applies to the channels made afterwards: call it
     * before {@link #start} or {@link #refresh}.
     */
    public EndpointSet withTransport(ChannelCredentials channelCredentials, Optional<String> serverName) {
        this.credentials = Objects.requireNonNull(channelCredentials, "channelCredentials");
        this.authority = serverName.orElse(null);
        return this;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (schedule != null) {
                schedule.shutdownNow();
            }
        }
        pollers.shutdownNow();
        synchronized (entries) {
            entries.values().forEach(Entry::close);
            entries.clear();
        }
    }
}
