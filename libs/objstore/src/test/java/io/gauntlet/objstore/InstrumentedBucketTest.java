package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstrumentedBucketTest {
    @TempDir
    Path temp;

    @Test
    void exportsThanosBucketMetricsInPrometheusFormat() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Bucket bucket = BucketFactory.create(BucketConfig.filesystem(temp.resolve("b")), registry)) {
            bucket.upload("01G/meta.json", new ByteArrayInputStream(new byte[] {1, 2}), 2);
            bucket.get("01G/meta.json").close();
            bucket.getRange("01G/meta.json", 0, 1).close();
            bucket.exists("01G/meta.json");
            bucket.attributes("01G/meta.json");
            bucket.list("", true);
            assertThatThrownBy(() -> bucket.get("missing")).isInstanceOf(ObjectNotFoundException.class);
            assertThatThrownBy(() -> bucket.getRange("01G/meta.json", 50, 1)).isInstanceOf(BucketException.class);
            bucket.delete("01G/meta.json");

            String name = bucket.name();
            String text = registry.scrape();
            assertThat(text)
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"get\"} 2")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"upload\"} 1")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"get_range\"} 2")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"iter\"} 1")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"delete\"} 1")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"exists\"} 1")
                    .contains("thanos_objstore_bucket_operations_total{bucket=\"" + name + "\",operation=\"attributes\"} 1")
                    .as("a missing object is not a failure")
                    .contains("thanos_objstore_bucket_operation_failures_total{bucket=\"" + name + "\",operation=\"get\"} 0")
                    .contains("thanos_objstore_bucket_operation_failures_total{bucket=\"" + name + "\",operation=\"get_range\"} 1")
                    .contains("thanos_objstore_bucket_operation_duration_seconds_bucket{bucket=\"" + name + "\",operation=\"upload\",le=\"0.01\"}")
                    .contains("thanos_objstore_bucket_operation_duration_seconds_bucket{bucket=\"" + name + "\",operation=\"upload\",le=\"120.0\"} 1")
                    .contains("thanos_objstore_bucket_operation_duration_seconds_count{bucket=\"" + name + "\",operation=\"get\"} 1");
        }
    }
}
