package io.gauntlet.compact;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.objstore.ForwardingBucket;
import io.gauntlet.objstore.FilesystemBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A compactor in a child JVM that stops dead at a chosen point and waits to be killed with SIGKILL: it writes
 * {@code <marker>} and parks. Points: {@code download} (during the download of the sources), {@code merged} (the new
 * block written locally, nothing uploaded), {@code upload} (chunks uploaded, index and meta.json not), {@code uploaded}
 * (meta.json uploaded, no source marked), {@code marking} (one source marked).
 */
public final class CrashingCompactorMain {
    private CrashingCompactorMain() {
    }

    public static void main(String[] args) throws Exception {
        Path bucketDir = Path.of(args[0]);
        Path scratch = Path.of(args[1]);
        String point = args[2];
        Path marker = Path.of(args[3]);
        AtomicInteger gets = new AtomicInteger();
        AtomicInteger marks = new AtomicInteger();
        Bucket bucket = new StoppingBucket(new FilesystemBucket(bucketDir), name -> {
            if (point.equals("download") && name.endsWith("/index") && gets.incrementAndGet() == 2) {
                park(marker);
            }
        }, name -> {
            if (point.equals("upload") && name.endsWith("/index")) {
                park(marker);
            }
            if (point.equals("uploaded") && name.endsWith("/deletion-mark.json")) {
                park(marker);
            }
            if (point.equals("marking") && name.endsWith("/deletion-mark.json") && marks.incrementAndGet() == 2) {
                park(marker);
            }
        });
        CompactorOptions options = CompactorOptions.defaults(scratch).withDelays(Duration.ZERO, Duration.ofHours(48));
        Compactor compactor = new Compactor(bucket, options, BlockEventSink.NONE, new CompactorMetrics(new SimpleMeterRegistry()), Clock.systemUTC());
        compactor.sync(group -> true, () -> {
            if (point.equals("merged") && mergedBlockExists(scratch)) {
                park(marker);
            }
            return true;
        });
        System.exit(0);
    }

    private static boolean mergedBlockExists(Path scratch) {
        try (Stream<Path> files = Files.walk(scratch)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("meta.json") && p.getParent().getParent().getFileName().toString().equals("output"));
        } catch (IOException e) {
            return false;
        }
    }

    private static void park(Path marker) {
        try {
            Files.writeString(marker, "parked");
            while (true) {
                Thread.sleep(Duration.ofMinutes(1)); // waits for SIGKILL
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A bucket that calls a hook before reads and uploads. */
    private static final class StoppingBucket extends ForwardingBucket {
        private final Consumer<String> beforeGet;
        private final Consumer<String> beforeUpload;

        StoppingBucket(Bucket delegate, Consumer<String> beforeGet, Consumer<String> beforeUpload) {
            super(delegate);
            this.beforeGet = beforeGet;
            this.beforeUpload = beforeUpload;
        }

        @Override
        public void upload(String name, Path file) {
            beforeUpload.accept(name);
            super.upload(name, file);
        }

        @Override
        public void upload(String name, InputStream data, long length) {
            beforeUpload.accept(name);
            super.upload(name, data, length);
        }

        @Override
        public InputStream get(String name) {
            beforeGet.accept(name);
            return super.get(name);
        }
    }
}
