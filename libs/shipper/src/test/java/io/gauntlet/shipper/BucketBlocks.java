package io.gauntlet.shipper;

import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventDeserializer;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.BlockMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reading back what a shipper produced: metas in the bucket, events on a topic. */
final class BucketBlocks {
    private BucketBlocks() {
    }

    static BlockMeta meta(Bucket bucket, String ulid) {
        try (InputStream in = bucket.get(ulid + "/" + BlockMeta.FILE)) {
            return BlockMeta.parse(in.readAllBytes(), ulid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("meta.json of " + ulid + " is not readable: " + e, e);
        }
    }

    /** Problems a reader would see: a block whose meta.json is visible while a listed file is missing or of another size. */
    static List<String> incompleteVisibleBlocks(Bucket bucket) {
        List<String> problems = new ArrayList<>();
        for (String dir : bucket.list("", false)) {
            String ulid = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
            if (!bucket.exists(ulid + "/" + BlockMeta.FILE)) {
                continue;
            }
            for (BlockMeta.File file : meta(bucket, ulid).thanos().files()) {
                if (file.relPath().equals(BlockMeta.FILE)) {
                    continue;
                }
                String name = ulid + "/" + file.relPath();
                if (!bucket.exists(name)) {
                    problems.add(name + " missing while meta.json is visible");
                } else if (bucket.attributes(name).size() != file.sizeBytes()) {
                    problems.add(name + " has " + bucket.attributes(name).size() + " bytes, meta.json says " + file.sizeBytes());
                }
            }
        }
        return problems;
    }

    /** A consumer of {@code topic} from the beginning, in a group of its own. */
    static KafkaConsumer<String, BlockEvent> consumer(String bootstrap, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrap);
        config.put("group.id", "shipper-test-" + UUID.randomUUID());
        config.put("auto.offset.reset", "earliest");
        KafkaConsumer<String, BlockEvent> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new BlockEventDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    static void poll(KafkaConsumer<String, BlockEvent> consumer, List<ConsumerRecord<String, BlockEvent>> into) {
        consumer.poll(Duration.ofMillis(200)).forEach(into::add);
    }
}
