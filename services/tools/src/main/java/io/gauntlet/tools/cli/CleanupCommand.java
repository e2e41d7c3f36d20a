package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketCleanup;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = "Delete blocks marked for deletion longer than --delete-delay ago and partial uploads older than --partial-upload-age.")
final class CleanupCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--delete-delay", defaultValue = "48h", paramLabel = "DURATION",
            description = "How long a deletion mark must be old before the block goes (default: ${DEFAULT-VALUE}, as the compactor).")
    String deleteDelay;

    @Option(names = "--partial-upload-age", defaultValue = "48h", paramLabel = "DURATION",
            description = "How old (by ULID time) a partial upload must be to count as abandoned (default: ${DEFAULT-VALUE}).")
    String partialUploadAge;

    @Override
    public Integer call() {
        var delay = FlagDurations.parse("--delete-delay", deleteDelay);
        var age = FlagDurations.parse("--partial-upload-age", partialUploadAge);
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            BucketCleanup.Cleaned cleaned = new BucketCleanup(bucket, session.events(), Clock.systemUTC()).cleanup(delay, age);
            cleaned.blocks().forEach(ulid -> spec.commandLine().getOut().println(ulid + " deleted"));
            cleaned.partials().forEach(ulid -> spec.commandLine().getOut().println(ulid + " deleted (abandoned partial upload)"));
            spec.commandLine().getErr().println(cleaned.blocks().size() + " marked blocks and " + cleaned.partials().size() + " partial uploads deleted");
            return EventReport.exitCode(session.events(), spec);
        }
    }
}
