package io.gauntlet.tools.cli;

import io.gauntlet.objstore.Bucket;
import io.gauntlet.tools.BucketInventory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "ls", mixinStandardHelpOptions = true, description = "List the blocks of the bucket: one ULID a line, or -o wide|json as Thanos prints them.")
final class LsCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ObjstoreOptions objstore;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "",
            description = "'' (ULIDs), 'wide' (times, range, level, resolution, source), 'json' (each meta.json) or 'table' (as inspect).")
    String output;

    @Option(names = {"-l", "--selector"}, paramLabel = "NAME=VALUE", description = "Only blocks with this external label (repeatable; all must match).")
    List<String> selectors = new ArrayList<>();

    @Option(names = "--exclude-delete", description = "Leave out blocks marked for deletion.")
    boolean excludeDelete;

    @Override
    public Integer call() {
        var selector = Selectors.parse(selectors);
        if (!List.of("", "wide", "json", "table").contains(output)) {
            throw new IllegalArgumentException("unknown output format '" + output + "': '', wide, json or table");
        }
        try (Bucket bucket = objstore.open()) {
            BucketInventory inventory = BucketInventory.scan(bucket, selector);
            if (excludeDelete) {
                inventory = inventory.withoutDeletionMarked();
            }
            String text = switch (output) {
                case "wide" -> inventory.wide();
                case "json" -> inventory.json();
                case "table" -> inventory.table();
                default -> inventory.ulids();
            };
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
