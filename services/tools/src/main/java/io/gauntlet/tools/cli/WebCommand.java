package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketWeb;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "web", mixinStandardHelpOptions = true,
        description = {"Serve a page of the bucket's blocks (per label set on a time axis, with levels, resolutions, sizes and marks)"
                + " and Thanos' /api/v1/blocks JSON, until stopped (Ctrl-C or SIGTERM)."})
final class WebCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ObjstoreOptions objstore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--http-address", defaultValue = "0.0.0.0:10902", paramLabel = "HOST:PORT",
            description = "Listen address, as Thanos' (default: ${DEFAULT-VALUE}; port 0 picks a free port).")
    String httpAddress;

    @Option(names = "--refresh", defaultValue = "30m", paramLabel = "DURATION", description = "How often the bucket is listed again (default: ${DEFAULT-VALUE}).")
    String refresh;

    @Option(names = "--label", defaultValue = "", paramLabel = "NAME",
            description = "External label whose value titles each timeline (default: the whole label set).")
    String label;

    /** Counted down to stop serving (tests); a real run stops with the process. */
    final CountDownLatch stop = new CountDownLatch(1);

    /** The running server, once it listens. */
    volatile BucketWeb web;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Duration every = FlagDurations.parse("--refresh", refresh);
        if (every.isZero() || every.isNegative()) {
            throw new IllegalArgumentException("--refresh must be positive, got " + refresh);
        }
        InetSocketAddress address = parseAddress(httpAddress);
        try (Bucket bucket = objstore.open(); BucketWeb served = BucketWeb.start(bucket, address, label, every, Clock.systemUTC())) {
            InetSocketAddress bound = served.address();
            spec.commandLine().getErr().println("serving the blocks of bucket " + bucket.name() + " on http://" + bound.getHostString() + ":"
                    + bound.getPort() + "/ (JSON: /api/v1/blocks)");
            spec.commandLine().getErr().flush();
            web = served; // after the line above, which a caller may wait for
            Thread hook = new Thread(stop::countDown);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                stop.await();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook is running
                }
            }
        }
        return 0;
    }

    static InetSocketAddress parseAddress(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--http-address " + text + " is not HOST:PORT");
        }
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--http-address " + text + " has no port number");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--http-address " + text + ": port out of range");
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host.replaceAll("^\\[|]$", ""), port);
    }
}
