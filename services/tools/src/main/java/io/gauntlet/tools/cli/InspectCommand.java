package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketInventory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "A table of the bucket's blocks: ULID, from, until, range, series, samples, chunks, level, resolution, source, labels, marks.")
final class InspectCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ObjstoreOptions objstore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-l", "--selector"}, paramLabel = "NAME=VALUE", description = "Only blocks with this external label (repeatable; all must match).")
    List<String> selectors = new ArrayList<>();

    @Override
    public Integer call() {
        var selector = Selectors.parse(selectors);
        try (Bucket bucket = objstore.open()) {
            spec.commandLine().getOut().print(BucketInventory.scan(bucket, selector).table());
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
