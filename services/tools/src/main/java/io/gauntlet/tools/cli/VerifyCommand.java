package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check the bucket: overlapping blocks of one group, duplicated compactions, each block's index and chunks,",
                "partial uploads and unreadable meta.json files. One line per issue: KIND [ULID ...]: DETAIL. Exit code 3 when any."})
final class VerifyCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ObjstoreOptions objstore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-i", "--issues"}, paramLabel = "KIND", split = ",",
            description = "Issues to look for (default: all): overlapped_blocks, duplicated_compaction, index_known_issues, partial_upload, unreadable_meta.")
    List<String> issues = BucketVerifier.ALL;

    @Option(names = "--tmp.dir", paramLabel = "DIR", description = "Where blocks are downloaded one at a time for the index check (default: a new temporary directory).")
    Path tmpDir;

    @Option(names = "--repair", description = "Not supported yet: Gauntlet reports issues but does not repair them.")
    boolean repair;

    @Override
    public Integer call() throws IOException {
        if (repair) {
            throw new IllegalArgumentException("--repair is not supported: mark the reported blocks (tools bucket mark) instead");
        }
        Path scratch = tmpDir != null ? tmpDir : Files.createTempDirectory("gauntlet-verify");
        try (Bucket bucket = objstore.open()) {
            List<BucketVerifier.Issue> found = new BucketVerifier(bucket, scratch).verify(new LinkedHashSet<>(issues));
            found.forEach(issue -> spec.commandLine().getOut().println(issue));
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println(found.isEmpty() ? "no issues" : found.size() + " issue" + (found.size() == 1 ? "" : "s") + " found");
            return found.isEmpty() ? 0 : GauntletTools.ISSUES_FOUND;
        } finally {
            if (tmpDir == null) {
                Files.deleteIfExists(scratch);
            }
        }
    }
}
