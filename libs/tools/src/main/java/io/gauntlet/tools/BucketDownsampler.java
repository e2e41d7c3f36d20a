package io.gauntlet.tools;

import io.gauntlet.compact.Compactor;
import io.gauntlet.compact.CompactorMetrics;
import io.gauntlet.compact.CompactorOptions;
import io.gauntlet.objstore.Bucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code downsample}: one downsampling pass over the bucket with the compactor's own code (raw blocks of at least 40h to
 * 5m, 5m blocks of at least 10d to 1h, as Thanos), each new block uploaded meta.json last and announced with
 * {@code block.uploaded}. A block already covered by one of the next resolution is skipped, so a rerun does nothing.
 */
public final class BucketDownsampler {
    private final Bucket bucket;
    private final ToolEvents events;
    private final Path scratch;

    public BucketDownsampler(Bucket bucket, ToolEvents events, Path scratch) {
        this.bucket = bucket;
        this.events = events;
        this.scratch = scratch;
    }

    public Compactor.DownsampleReport run() {
        // no consistency delay: as Thanos' downsampler, every block with a meta.json is complete (meta.json goes up last)
        CompactorOptions options = CompactorOptions.defaults(scratch).withDelays(Duration.ZERO, Duration.ofHours(48))
                .withProducer(events.producer());
        Compactor compactor = new Compactor(bucket, options, events::publish, new CompactorMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC());
        return compactor.downsampleOnce(() -> true);
    }
}
