package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BlockMarker;
import io.gauntlet.tsdb.block.Ulid;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "mark", mixinStandardHelpOptions = true,
        description = "Mark blocks for deletion, no compaction or no downsampling (or --remove the marker), as Thanos writes the marker files.")
final class MarkCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ULID", description = "Block to mark (repeatable).")
    List<String> ids;

    @Option(names = "--marker", required = true, paramLabel = "FILE",
            description = "deletion-mark.json, no-compact-mark.json or no-downsample-mark.json.")
    String marker;

    @Option(names = "--details", defaultValue = "", paramLabel = "TEXT", description = "Why (required unless --remove).")
    String details;

    @Option(names = "--remove", description = "Remove the marker instead of adding it.")
    boolean remove;

    @Override
    public Integer call() {
        if (!BlockMarker.MARKERS.contains(marker)) {
            throw new IllegalArgumentException("--marker must be one of " + String.join(", ", BlockMarker.MARKERS) + ", got " + marker);
        }
        if (!remove && details.isBlank()) {
            throw new IllegalArgumentException("--details is required when marking: say why");
        }
        List<Ulid> blocks = ids.stream().map(id -> {
            if (!Ulid.isUlid(id)) {
                throw new IllegalArgumentException("--id " + id + " is not a ULID");
            }
            return Ulid.parse(id);
        }).toList();
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            BlockMarker blockMarker = new BlockMarker(bucket, session.events(), Clock.systemUTC());
            for (Ulid id : blocks) {
                BlockMarker.Outcome outcome = remove ? blockMarker.remove(id, marker) : blockMarker.mark(id, marker, details);
                spec.commandLine().getOut().println(id + " " + switch (outcome) {
                    case MARKED -> "marked with " + marker;
                    case ALREADY_MARKED -> "already has " + marker + " (left as it is)";
                    case REMOVED -> marker + " removed";
                    case NOT_MARKED -> "has no " + marker;
                });
            }
            return EventReport.exitCode(session.events(), spec);
        }
    }
}
