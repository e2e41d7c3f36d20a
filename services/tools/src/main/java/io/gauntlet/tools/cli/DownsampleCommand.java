package io.gauntlet.tools.cli;

import io.gauntlet.compact.BlockTransfer;
import io.gauntlet.compact.Compactor;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketDownsampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "downsample", mixinStandardHelpOptions = true,
        description = "Downsample the bucket once, as the compactor does: raw blocks of at least 40h to 5m, then 5m blocks of at least"
                + " 10d to 1h; blocks already downsampled or marked no-downsample are skipped.")
final class DownsampleCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Scratch space for the blocks being downsampled (default: a temporary directory, removed afterwards).")
    Path dataDir;

    @Override
    public Integer call() throws IOException {
        Path scratch = dataDir != null ? Files.createDirectories(dataDir) : Files.createTempDirectory("gauntlet-downsample-");
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            Compactor.DownsampleReport report = new BucketDownsampler(bucket, session.events(), scratch).run();
            report.made().forEach(meta -> spec.commandLine().getOut().println(meta.ulid() + " downsampled to "
                    + meta.thanos().downsample().resolution() + " ms from " + meta.compaction().sources().size() + " source blocks"));
            report.failures().forEach(failure -> spec.commandLine().getErr().println("gauntlet tools: " + failure));
            spec.commandLine().getErr().println(report.made().size() + " block" + (report.made().size() == 1 ? "" : "s") + " made");
            int events = EventReport.exitCode(session.events(), spec);
            return report.failures().isEmpty() ? events : GauntletTools.FAILED;
        } finally {
            if (dataDir == null) {
                BlockTransfer.deleteRecursively(scratch);
            }
        }
    }
}
