package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketCleanup;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "retention", mixinStandardHelpOptions = true,
        description = "Mark for deletion every block older than its resolution's retention, now (what the compactor does each sync).")
final class RetentionCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--retention.resolution-raw", defaultValue = "0d", paramLabel = "DURATION", description = "Retention of raw blocks; 0d keeps them forever.")
    String raw;

    @Option(names = "--retention.resolution-5m", defaultValue = "0d", paramLabel = "DURATION", description = "Retention of 5m blocks; 0d keeps them forever.")
    String fiveMinutes;

    @Option(names = "--retention.resolution-1h", defaultValue = "0d", paramLabel = "DURATION", description = "Retention of 1h blocks; 0d keeps them forever.")
    String oneHour;

    @Override
    public Integer call() {
        Duration rawRetention = FlagDurations.parse("--retention.resolution-raw", raw);
        Duration fiveMinuteRetention = FlagDurations.parse("--retention.resolution-5m", fiveMinutes);
        Duration oneHourRetention = FlagDurations.parse("--retention.resolution-1h", oneHour);
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            List<Ulid> marked = new BucketCleanup(bucket, session.events(), Clock.systemUTC()).applyRetention(resolution ->
                    resolution == 300_000L ? fiveMinuteRetention : resolution == 3_600_000L ? oneHourRetention : rawRetention);
            marked.forEach(ulid -> spec.commandLine().getOut().println(ulid + " marked for deletion"));
            spec.commandLine().getErr().println(marked.size() + " block" + (marked.size() == 1 ? "" : "s") + " marked for deletion");
            return EventReport.exitCode(session.events(), spec);
        }
    }
}
