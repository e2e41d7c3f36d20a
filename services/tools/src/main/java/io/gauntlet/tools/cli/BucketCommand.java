package io.gauntlet.tools.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tools bucket …}, as Thanos' {@code tools bucket}. */
@Command(name = "bucket", mixinStandardHelpOptions = true, description = "Bucket utility commands.",
        subcommands = {LsCommand.class, InspectCommand.class, VerifyCommand.class, MarkCommand.class, RetentionCommand.class,
                CleanupCommand.class, ReplicateCommand.class, UploadBlocksCommand.class, DownsampleCommand.class, RewriteCommand.class, WebCommand.class})
final class BucketCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: one of ls, inspect, verify, mark, retention, cleanup, replicate, upload-blocks, downsample, rewrite, web");
    }
}
