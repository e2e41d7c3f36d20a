package io.gauntlet.tools.cli;

import io.gauntlet.objstore.BucketException;
import io.gauntlet.tools.ToolException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./gauntlet tools …}: the operator's tools. Exit codes a script can rely on: 0 done, 1 failed (message on
 * stderr), 2 bad usage or configuration, 3 {@code verify} found issues, 4 the bucket changed but a block event could
 * not be published.
 */
@Command(name = "gauntlet tools", mixinStandardHelpOptions = true, version = "gauntlet tools 0.1.0",
        description = "Operator tools for a Gauntlet (Thanos-compatible) bucket.",
        subcommands = {BucketCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:failed (the message says why)", "2:bad usage or configuration", "3:verify found issues",
                "4:the bucket changed but a block event could not be published"})
public final class GauntletTools implements Runnable {
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int ISSUES_FOUND = 3;
    public static final int EVENTS_FAILED = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: bucket");
    }

    /** The command line with Gauntlet's error handling: known failures print one line, never a stack trace. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new GauntletTools());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            if (exception instanceof IllegalArgumentException) {
                line.getErr().println("gauntlet tools: " + exception.getMessage());
                return USAGE;
            }
            if (exception instanceof ToolException || exception instanceof BucketException || exception instanceof java.io.IOException
                    || exception instanceof java.io.UncheckedIOException || exception instanceof io.gauntlet.tsdb.storage.StorageException) {
                line.getErr().println("gauntlet tools: " + exception.getMessage());
                return FAILED;
            }
            throw exception;
        });
        return commandLine;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        System.exit(code);
    }
}
