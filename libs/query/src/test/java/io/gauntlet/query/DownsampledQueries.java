package io.gauntlet.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.gauntlet.objstore.FilesystemBucket;
import io.gauntlet.promql.engine.PromqlEngine;
import io.gauntlet.promql.engine.VectorResult;
import io.gauntlet.store.StoreClient;
import io.gauntlet.store.StoreFanOut;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What the downsampled-query tests share: uploading a written block and one instant query through a store client. */
final class DownsampledQueries {
    private DownsampledQueries() {
    }

    /** meta.json last, as every uploader does. */
    static void upload(FilesystemBucket bucket, Path block) throws Exception {
        String id = block.getFileName().toString();
        try (Stream<Path> files = Files.walk(block)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.endsWith("meta.json")).toList()) {
                bucket.upload(id + "/" + block.relativize(file).toString().replace('\\', '/'), file);
            }
        }
        bucket.upload(id + "/meta.json", block.resolve("meta.json"));
    }

    /** The single value of an instant query over the store, at the given max resolution (0: raw). */
    static double instantValue(PromqlEngine engine, StoreClient client, long maxResolution, String query, long time) throws Exception {
        var endpoints = List.of(new StoreFanOut.Endpoint(client, client.info()));
        var queryable = new StoreQueryable(() -> endpoints, new StoreQueryable.Options(true, List.of(), false, maxResolution, List.of(), 0));
        VectorResult result = (VectorResult) engine.instantQuery(queryable, query, time).value();
        assertThat(result.size()).as(query + " at " + time + " with max resolution " + maxResolution).isEqualTo(1);
        return result.value(0);
    }

    /** Closes what a test class started, the ones never started skipped. */
    static void close(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }
}
