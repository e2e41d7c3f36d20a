package io.gauntlet.objstore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A real Azure Blob Storage API for tests: Azurite (installed from npm by {@code ./gauntlet test}, or here when missing)
 * on a free loopback port with a random account and key, one per JVM, stopped at JVM exit. Each test takes fresh
 * containers from {@link #newContainer(String)}.
 */
public final class AzuriteFixture {
    private static AzuriteFixture shared;

    private final String account;
    private final String key;
    private final String blobEndpoint;

    private AzuriteFixture(String account, String key, String blobEndpoint) {
        this.account = account;
        this.key = key;
        this.blobEndpoint = blobEndpoint;
    }

    public static synchronized AzuriteFixture shared() {
        if (shared == null) {
            try {
                Path directory = Files.createTempDirectory("gauntlet-azurite-");
                DepsScript.run("deps_azurite_start", directory.toString(), Integer.toString(DepsScript.freePort()));
                Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(directory), "azurite-fixture-stop"));
                Properties properties = new Properties();
                try (InputStream in = Files.newInputStream(directory.resolve("azurite.properties"))) {
                    properties.load(in);
                }
                shared = new AzuriteFixture(properties.getProperty("account"), properties.getProperty("key"), properties.getProperty("endpoint"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare a directory for Azurite", e);
            }
        }
        return shared;
    }

    private static void stop(Path directory) {
        DepsScript.run("deps_azurite_stop", directory.toString());
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }

    public String account() {
        return account;
    }

    public String key() {
        return key;
    }

    /** The connection string Azure's tools print for an emulator account: account, key and the blob endpoint. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + account + ";AccountKey=" + key + ";BlobEndpoint=" + blobEndpoint + ";";
    }

    /** A config for a container with a unique name starting with {@code hint} (created by the bucket, as Thanos does). */
    public AzureConfig newContainer(String hint) {
        String name = hint.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-") + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        return AzureConfig.ofConnectionString(account, name.length() > 63 ? name.substring(name.length() - 63) : name, connectionString());
    }
}
