package io.gauntlet.tools.cli;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.rules.notifier.RelabelConfig;
import io.gauntlet.tools.BucketRewriter;
import io.gauntlet.tools.BucketRewriter.DeletionRequest;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rewrite", mixinStandardHelpOptions = true,
        description = {"Rewrite blocks through relabel configs and without what deletion requests select, into new blocks (source bucket.rewrite).",
                "A dry run by default, as Thanos: it prints what would be deleted; --no-dry-run writes the new block, and --delete-blocks"
                        + " then marks the source for deletion (otherwise both are in the bucket and overlap)."})
final class RewriteCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ULID", description = "A block to rewrite (repeated).")
    List<String> ids;

    @Option(names = "--rewrite.to-delete-config-file", paramLabel = "FILE",
            description = "YAML list of {matchers: '<series selector>', intervals: [{mint: <ms>, maxt: <ms>}]} (no intervals: whole series).")
    Path deleteConfigFile;

    @Option(names = "--rewrite.to-delete-config", paramLabel = "YAML", description = "The deletion YAML itself.")
    String deleteConfig;

    @Option(names = "--rewrite.to-relabel-config-file", paramLabel = "FILE",
            description = "YAML list of Prometheus relabel configs applied to every series (before the deletions); a series relabelled to nothing is deleted.")
    Path relabelConfigFile;

    @Option(names = "--rewrite.to-relabel-config", paramLabel = "YAML", description = "The relabel YAML itself.")
    String relabelConfig;

    @Option(names = "--rewrite.add-change-log", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also write the changes to change.log in the new block's directory under --tmp.dir (default; kept after the run).")
    boolean addChangeLog;

    @Option(names = "--dry-run", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Only print the series that would be deleted (default); --no-dry-run rewrites.")
    boolean dryRun;

    @Option(names = "--delete-blocks", description = "After a rewrite, mark each source block for deletion.")
    boolean deleteBlocks;

    @Option(names = "--tmp.dir", paramLabel = "DIR",
            description = "Working directory (default: gauntlet-rewrite in the system's temporary directory); the downloaded and written blocks are removed afterwards.")
    Path tmpDir;

    @Override
    public Integer call() throws IOException, StorageException {
        if (deleteConfigFile != null && deleteConfig != null || relabelConfigFile != null && relabelConfig != null) {
            throw new IllegalArgumentException("give each of --rewrite.to-delete-config and --rewrite.to-relabel-config once: as a file or as content");
        }
        if (deleteConfigFile == null && deleteConfig == null && relabelConfigFile == null && relabelConfig == null) {
            throw new IllegalArgumentException("nothing to rewrite: give --rewrite.to-delete-config[-file], --rewrite.to-relabel-config[-file] or both");
        }
        List<DeletionRequest> deletions = deleteConfig != null || deleteConfigFile != null
                ? DeletionRequest.parseYaml(deleteConfig != null ? deleteConfig : Files.readString(deleteConfigFile)) : List.of();
        List<RelabelConfig> relabels = relabelConfig != null || relabelConfigFile != null
                ? parseRelabels(relabelConfig != null ? relabelConfig : Files.readString(relabelConfigFile)) : List.of();
        List<Ulid> blocks = ids.stream().map(id -> {
            if (!Ulid.isUlid(id)) {
                throw new IllegalArgumentException("--id " + id + " is not a ULID");
            }
            return Ulid.parse(id);
        }).toList();
        Path scratch = Files.createDirectories(tmpDir != null ? tmpDir : Path.of(System.getProperty("java.io.tmpdir"), "gauntlet-rewrite"));
        CommandLine commandLine = spec.commandLine();
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            BucketRewriter rewriter = new BucketRewriter(bucket, session.events(), Clock.systemUTC());
            for (Ulid block : blocks) {
                Path work = scratch.resolve(block.toString());
                BlockTransfer.deleteRecursively(work);
                try {
                    List<String> changes = new ArrayList<>();
                    BucketRewriter.Rewritten done = rewriter.rewrite(block, deletions, relabels, dryRun, deleteBlocks, work, change -> {
                        commandLine.getOut().println(change);
                        changes.add(change);
                    });
                    String relabelled = done.seriesRelabelled() == 0 ? "" : ", " + done.seriesRelabelled() + " relabelled";
                    commandLine.getErr().println(dryRun
                            ? block + ": dry run, " + done.seriesDeleted() + " series would be deleted and " + done.seriesKept() + " kept" + relabelled
                            : block + " rewritten into " + done.target() + ": " + done.seriesDeleted() + " series deleted, " + done.seriesKept()
                                    + " kept" + relabelled + (done.sourceMarked() ? "; " + block + " marked for deletion" : ""));
                    if (addChangeLog && !dryRun) {
                        Path changeLog = Files.createDirectories(scratch.resolve(done.target().toString())).resolve(BucketRewriter.CHANGE_LOG);
                        Files.write(changeLog, changes);
                        commandLine.getErr().println("change log: " + changeLog);
                    }
                } finally {
                    BlockTransfer.deleteRecursively(work);
                }
            }
            return EventReport.exitCode(session.events(), spec);
        }
    }

    private static List<RelabelConfig> parseRelabels(String yaml) {
        List<RelabelConfig> relabels = RelabelConfig.parseList(yaml);
        if (relabels.isEmpty()) {
            throw new IllegalArgumentException("the relabel config has no rules");
        }
        return relabels;
    }
}
