package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketRepair;
import io.gauntlet.tools.BucketVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check the bucket: overlapping blocks of one group, duplicated compactions, each block's index and chunks,",
                "partial uploads and unreadable meta.json files. One line per issue: KIND [ULID ...]: DETAIL. Exit code 3 when any",
                "(with --repair: when any is left unrepaired)."})
final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--issues"}, paramLabel = "KIND", split = ",",
            description = "Issues to look for (default: all): overlapped_blocks, duplicated_compaction, index_known_issues, partial_upload, unreadable_meta.")
    List<String> issues = BucketVerifier.ALL;

    @Option(names = "--tmp.dir", paramLabel = "DIR", description = "Where blocks are downloaded one at a time for the index check (default: a new temporary directory).")
    Path tmpDir;

    @Option(names = "--repair", description = "Repair what Thanos repairs by removing blocks: of duplicated compactions the oldest stays, each"
            + " other is copied to the backup bucket and then marked for deletion. Other issues are reported and left.")
    boolean repair;

    @Option(names = "--objstore-backup.config-file", paramLabel = "FILE", description = "The backup bucket's objstore YAML (required by --repair).")
    Path backupConfigFile;

    @Option(names = "--objstore-backup.config", paramLabel = "YAML", description = "The backup bucket's objstore YAML itself.")
    String backupConfig;

    @Override
    public Integer call() throws IOException {
        if (repair && backupConfigFile == null && backupConfig == null) {
            throw new IllegalArgumentException("--repair needs a backup bucket (--objstore-backup.config-file or --objstore-backup.config), as Thanos");
        }
        Path scratch = tmpDir != null ? tmpDir : Files.createTempDirectory("gauntlet-verify");
        try (Bucket bucket = options.objstore.open(); Bucket backup = repair ? ObjstoreOptions.open("--objstore-backup", backupConfigFile, backupConfig) : null;
                KafkaOptions.Session session = options.kafka.open()) {
            List<BucketVerifier.Issue> found = new BucketVerifier(bucket, scratch).verify(new LinkedHashSet<>(issues));
            found.forEach(issue -> spec.commandLine().getOut().println(issue));
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println(found.isEmpty() ? "no issues" : found.size() + " issue" + (found.size() == 1 ? "" : "s") + " found");
            if (!repair || found.isEmpty()) {
                return found.isEmpty() ? 0 : GauntletTools.ISSUES_FOUND;
            }
            BucketRepair.Repaired repaired = new BucketRepair(bucket, backup, session.events(), Clock.systemUTC()).repair(found);
            repaired.removed().forEach(ulid -> spec.commandLine().getOut().println(ulid + " backed up to " + backup.name() + " and marked for deletion"));
            spec.commandLine().getErr().println(repaired.notRepaired().isEmpty() ? "all issues repaired"
                    : repaired.notRepaired().size() + " issue" + (repaired.notRepaired().size() == 1 ? "" : "s") + " not repairable here (see above)");
            int events = EventReport.exitCode(session.events(), spec);
            return !repaired.notRepaired().isEmpty() ? GauntletTools.ISSUES_FOUND : events;
        } finally {
            if (tmpDir == null) {
                Files.deleteIfExists(scratch);
            }
        }
    }
}
