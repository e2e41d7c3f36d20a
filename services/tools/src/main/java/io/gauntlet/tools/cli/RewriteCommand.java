package io.gauntlet.tools.cli;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketRewriter;
import io.gauntlet.tools.BucketRewriter.DeletionRequest;
import io.gauntlet.tsdb.block.Ulid;
import io.gauntlet.tsdb.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "rewrite", mixinStandardHelpOptions = true,
        description = {"Rewrite blocks without the series that deletion requests select, into new blocks (source bucket.rewrite).",
                "A dry run by default, as Thanos: it prints what would be deleted; --no-dry-run writes the new block, and --delete-blocks"
                        + " then marks the source for deletion (otherwise both are in the bucket and overlap)."})
final class RewriteCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ULID", description = "A block to rewrite (repeated).")
    List<String> ids;

    @Option(names = "--rewrite.to-delete-config-file", paramLabel = "FILE", description = "YAML list of {matchers: '<series selector>'}.")
    Path deleteConfigFile;

    @Option(names = "--rewrite.to-delete-config", paramLabel = "YAML", description = "The deletion YAML itself.")
    String deleteConfig;

    @Option(names = "--rewrite.to-relabel-config-file", paramLabel = "FILE", hidden = true)
    Path relabelConfigFile;

    @Option(names = "--rewrite.to-relabel-config", paramLabel = "YAML", hidden = true)
    String relabelConfig;

    @Option(names = "--dry-run", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Only print the series that would be deleted (default); --no-dry-run rewrites.")
    boolean dryRun;

    @Option(names = "--delete-blocks", description = "After a rewrite, mark each source block for deletion.")
    boolean deleteBlocks;

    @Option(names = "--tmp.dir", paramLabel = "DIR", description = "Scratch space (default: a temporary directory, removed afterwards).")
    Path tmpDir;

    @Override
    public Integer call() throws IOException, StorageException {
        if (relabelConfigFile != null || relabelConfig != null) {
            throw new IllegalArgumentException("--rewrite.to-relabel-config is not implemented; only deletions (--rewrite.to-delete-config)");
        }
        if ((deleteConfigFile == null) == (deleteConfig == null)) {
            throw new IllegalArgumentException("exactly one of --rewrite.to-delete-config-file and --rewrite.to-delete-config is required");
        }
        List<DeletionRequest> deletions = DeletionRequest.parseYaml(deleteConfig != null ? deleteConfig : Files.readString(deleteConfigFile));
        List<Ulid> blocks = ids.stream().map(id -> {
            if (!Ulid.isUlid(id)) {
                throw new IllegalArgumentException("--id " + id + " is not a ULID");
            }
            return Ulid.parse(id);
        }).toList();
        Path scratch = tmpDir != null ? Files.createDirectories(tmpDir) : Files.createTempDirectory("gauntlet-rewrite-");
        CommandLine commandLine = spec.commandLine();
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            BucketRewriter rewriter = new BucketRewriter(bucket, session.events(), Clock.systemUTC());
            for (Ulid block : blocks) {
                Path work = scratch.resolve(block.toString());
                BlockTransfer.deleteRecursively(work);
                try {
                    BucketRewriter.Rewritten done = rewriter.rewrite(block, deletions, dryRun, deleteBlocks, work, commandLine.getOut()::println);
                    commandLine.getErr().println(dryRun
                            ? block + ": dry run, " + done.seriesDeleted() + " series would be deleted and " + done.seriesKept() + " kept"
                            : block + " rewritten into " + done.target() + ": " + done.seriesDeleted() + " series deleted, " + done.seriesKept()
                                    + " kept" + (done.sourceMarked() ? "; " + block + " marked for deletion" : ""));
                } finally {
                    BlockTransfer.deleteRecursively(work);
                }
            }
            return EventReport.exitCode(session.events(), spec);
        } finally {
            if (tmpDir == null) {
                BlockTransfer.deleteRecursively(scratch);
            }
        }
    }
}
