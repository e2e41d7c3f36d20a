package io.gauntlet.querier;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * {@link QuerierBench} with the querier in front of a store gateway's {@code BucketStore} (served by
 * {@code StoreServer} on loopback gRPC) reading, from an s3proxy bucket ({@code -Dquerier.bench.bucket=filesystem}: a
 * filesystem bucket), the very blocks promtool made for the Prometheus it is compared with. Not part of the test run: {@code mvn -pl services/querier test -Dtest=QuerierBucketBench}.
 * Writes target/querier-bucket-bench.txt.
 */
@QuarkusTest
@QuarkusTestResource(value = StoresResource.class, restrictToAnnotatedClass = true,
        initArgs = {@ResourceArg(name = "benchInstances", value = "500"), @ResourceArg(name = "benchStore", value = "bucket")})
class QuerierBucketBench {
    @Test
    void gauntletVersusPrometheus() throws Exception {
        String bucket = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("test.bench-bucket", String.class);
        QuerierBench.compare("BucketStore over promtool's blocks in bucket " + bucket, "querier-bucket-bench.txt");
    }
}
