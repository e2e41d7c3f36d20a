package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BlockUploader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "upload-blocks", mixinStandardHelpOptions = true,
        description = {"Upload the blocks of a local TSDB directory with the given external labels (compaction level 1 blocks",
                "not uploaded yet, meta.json last, source bucket.upload), as Thanos' upload-blocks."})
final class UploadBlocksCommand implements Callable<Integer> {
    @CommandLine.Mixin
    WriteOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--path", defaultValue = "./data", paramLabel = "DIR", description = "The TSDB directory (default: ${DEFAULT-VALUE}).")
    Path path;

    @Option(names = "--label", required = true, paramLabel = "NAME=\"VALUE\"", description = "An external label of the blocks (repeatable).")
    List<String> labels = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        var externalLabels = Selectors.parse(labels);
        try (Bucket bucket = options.objstore.open(); KafkaOptions.Session session = options.kafka.open()) {
            int uploaded = new BlockUploader(bucket, session.events()).upload(path, externalLabels);
            spec.commandLine().getErr().println(uploaded + " block" + (uploaded == 1 ? "" : "s") + " uploaded from " + path);
            return EventReport.exitCode(session.events(), spec);
        }
    }
}
