package io.gauntlet.objstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

/** The contract on a real Azure Blob Storage API (Azurite), plus what only Azure's own config does. */
class AzureBucketTest extends BucketContractTest {
    private AzureConfig config;

    @Override
    protected Bucket newBucket() {
        config = AzuriteFixture.shared().newContainer("objstore-contract").withBlockSize(partSize());
        return new AzureBucket(config, 7); // small listing pages: paging is exercised by a few dozen objects
    }

    @Override
    protected long partSize() {
        return 256 * 1024; // blocks are staged well below S3's 5 MiB minimum part: keeps the large-object test small
    }

    @Test
    void theFactoryBuildsAnAzureBucketFromThanosYaml() {
        AzuriteFixture azurite = AzuriteFixture.shared();
        String yaml = """
                type: AZURE
                config:
                  storage_account: %s
                  storage_connection_string: "%s"
                  container: %s
                  max_retries: 2
                  pipeline_config:
                    try_timeout: 30s
                  http_config:
                    response_header_timeout: 1m
                    idle_conn_timeout: 90s
                  msi_resource: ""
                prefix: via-yaml
                """.formatted(azurite.account(), azurite.connectionString(), config.container());
        try (Bucket fromYaml = BucketFactory.fromYaml(yaml)) {
            fromYaml.upload("obj", new ByteArrayInputStream(new byte[] {7}), 1);
        }
        assertThat(bucket.list("via-yaml", true)).containsExactly("via-yaml/obj");
    }

    @Test
    void withoutCreatingTheContainerAMissingOneIsAFailureNotAMissingObject() {
        AzureConfig missing = AzuriteFixture.shared().newContainer("never-created").withStorageCreateContainer(false).withMaxTries(1);
        try (Bucket absent = new AzureBucket(missing)) {
            assertThatThrownBy(() -> absent.get("x"))
                    .isInstanceOf(BucketException.class)
                    .isNotInstanceOf(ObjectNotFoundException.class)
                    .hasMessageContaining(missing.container());
            assertThatThrownBy(() -> absent.list("", true)).isInstanceOf(BucketException.class).hasMessageContaining("does not exist");
        }
    }

    @Test
    void aWrongAccountKeyIsAClearFailureWithoutTheKey() {
        AzuriteFixture azurite = AzuriteFixture.shared();
        String wrongKey = java.util.Base64.getEncoder().encodeToString("wrong-key-wrong-key-wrong-key-00".getBytes());
        String connection = azurite.connectionString().replace(azurite.key(), wrongKey);
        AzureConfig wrong = AzureConfig.ofConnectionString(azurite.account(), config.container(), connection)
                .withStorageCreateContainer(false).withMaxTries(1);
        try (Bucket denied = new AzureBucket(wrong)) {
            assertThatThrownBy(() -> denied.exists("x"))
                    .isInstanceOf(BucketException.class)
                    .hasMessageContaining("403")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain(wrongKey));
        }
    }

    @Test
    void theBucketNameIsTheContainer() {
        assertThat(bucket.name()).isEqualTo(config.container());
    }
}
