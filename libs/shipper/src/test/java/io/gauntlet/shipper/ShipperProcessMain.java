package io.gauntlet.shipper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** A shipper as a process of its own, for tests that kill it: {@code <tsdb dir> <objstore yaml file> <name=value,...>}. */
public final class ShipperProcessMain {
    private ShipperProcessMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> labels = new TreeMap<>();
        for (String pair : args[2].split(",")) {
            String[] parts = pair.split("=", 2);
            labels.put(parts[0], parts[1]);
        }
        ShipperOptions options = ShipperOptions.of(Path.of(args[0]), ShipperOptions.bucketConfig(Path.of(args[1]), null), labels)
                .withIntervals(Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1));
        Shipper shipper = Shipper.start(options, new SimpleMeterRegistry());
        System.out.println("shipper started");
        Runtime.getRuntime().addShutdownHook(new Thread(shipper::close));
        Thread.currentThread().join();
    }
}
