package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketReplicator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = {"Copy blocks from the --objstore bucket to the --objstore-to bucket, byte for byte, meta.json last.",
                "Idempotent: blocks already in the target are skipped, and a run cut short (even killed) is completed by the next."})
final class ReplicateCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--objstore-to.config-file", paramLabel = "FILE", description = "Objstore YAML of the target bucket.")
    Path toConfigFile;

    @Option(names = "--objstore-to.config", paramLabel = "YAML", description = "The target's objstore YAML itself.")
    String toConfig;

    @Option(names = {"-l", "--selector"}, paramLabel = "NAME=VALUE", description = "Only blocks with this external label (repeatable; all must match).")
    List<String> selectors = new ArrayList<>();

    @Option(names = "--resolution", split = ",", paramLabel = "DURATION", description = "Only blocks of these resolutions (0s, 5m, 1h; default: all).")
    List<String> resolutions = new ArrayList<>();

    @Option(names = "--compaction", split = ",", paramLabel = "LEVEL", description = "Only blocks of these compaction levels (default: all).")
    List<Integer> levels = new ArrayList<>();

    @Override
    public Integer call() {
        Set<Long> resolutionMillis = new HashSet<>();
        for (String resolution : resolutions) {
            resolutionMillis.add(FlagDurations.parse("--resolution", resolution).toMillis());
        }
        BucketReplicator.Filter filter = new BucketReplicator.Filter(Selectors.parse(selectors), resolutionMillis, Set.copyOf(levels));
        try (Bucket source = options.objstore.open(); Bucket target = ObjstoreOptions.open("--objstore-to", toConfigFile, toConfig);
             KafkaOptions.Session session = options.kafka.open()) {
            BucketReplicator.Replicated done = new BucketReplicator(source, target, session.events()).replicate(filter);
            done.copied().forEach(ulid -> spec.commandLine().getOut().println(ulid + " copied"));
            spec.commandLine().getErr().println(done.copied().size() + " blocks copied, " + done.present().size() + " already in the target");
            return EventReport.exitCode(session.events(), spec);
        }
    }
}
