package io.gauntlet.rules.notifier;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * The Alertmanagers to send to, as Thanos' {@code --alertmanagers.url}: {@code http://host:9093},
 * {@code dns+http://host:9093} (every A/AAAA record) or {@code dnssrv+http://_web._tcp.name} (SRV targets and ports),
 * resolved again every refresh interval; the last good answer stays while a lookup fails.
 */
public final class AlertmanagerDiscovery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertmanagerDiscovery.class.getName());

    private final List<String> specs;
    private final Thread refresher;
    private volatile List<URI> current = List.of();
    private volatile boolean closed;

    public AlertmanagerDiscovery(List<String> specs, Duration refreshInterval) {
        this.specs = specs.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String spec : this.specs) {
            URI.create(spec.substring(spec.indexOf('+') + 1)); // malformed URLs fail at start, with the URL in the message
        }
        refresh();
        this.refresher = refreshInterval.isZero() ? null : Thread.ofPlatform().name("alertmanager-discovery").daemon().start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(refreshInterval);
                } catch (InterruptedException e) {
                    return;
                }
                refresh();
            }
        });
    }

    public List<URI> current() {
        return current;
    }

    public void refresh() {
        Set<URI> resolved = new LinkedHashSet<>();
        for (String spec : specs) {
            try {
                resolved.addAll(resolve(spec));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "resolving Alertmanager {0} failed, keeping its last addresses: {1}", spec, e.getMessage());
                for (URI previous : current) {
                    resolved.add(previous);
                }
            }
        }
        current = List.copyOf(resolved);
    }

    static List<URI> resolve(String spec) {
        if (spec.startsWith("dns+")) {
            URI url = URI.create(spec.substring(4));
            List<URI> out = new ArrayList<>();
            for (String ip : addresses(url.getHost())) {
                out.add(withHost(url, ip, url.getPort()));
            }
            return out;
        }
        if (spec.startsWith("dnssrv+")) {
            URI url = URI.create(spec.substring(7));
            List<URI> out = new ArrayList<>();
            for (String[] record : srv(url.getHost())) {
                out.add(withHost(url, record[0], Integer.parseInt(record[1])));
            }
            return out;
        }
        return List.of(URI.create(spec));
    }

    private static URI withHost(URI url, String host, int port) {
        String authority = (host.contains(":") ? "[" + host + "]" : host) + (port > 0 ? ":" + port : "");
        return URI.create(url.getScheme() + "://" + authority + (url.getRawPath() == null ? "" : url.getRawPath()));
    }

    private static List<String> addresses(String host) {
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

    private static List<String[]> srv(String name) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put("java.naming.factory.initial", "com.sun.jndi.dns.DnsContextFactory");
        try {
            DirContext context = new InitialDirContext(env);
            try {
                Attribute records = context.getAttributes(name, new String[] {"SRV"}).get("SRV");
                List<String[]> out = new ArrayList<>();
                if (records != null) {
                    NamingEnumeration<?> values = records.getAll();
                    while (values.hasMore()) {
                        String[] fields = values.next().toString().trim().split("\\s+"); // priority weight port target
                        out.add(new String[] {fields[3].replaceAll("\\.$", ""), fields[2]});
                    }
                }
                return out;
            } finally {
                context.close();
            }
        } catch (NamingException e) {
            throw new IllegalStateException("SRV lookup of " + name + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        closed = true;
        if (refresher != null) {
            refresher.interrupt();
        }
    }
}
