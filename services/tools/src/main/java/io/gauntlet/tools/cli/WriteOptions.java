package io.gauntlet.tools.cli;

import picocli.CommandLine;

/** What every write command takes: the bucket, and the Kafka its block events go to. */
final class WriteOptions {
    @CommandLine.Mixin
    ObjstoreOptions objstore;

    @CommandLine.Mixin
    KafkaOptions kafka;
}
