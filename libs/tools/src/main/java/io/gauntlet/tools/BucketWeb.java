package io.gauntlet.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gauntlet.objstore.Bucket;
import io.gauntlet.tsdb.block.BlockMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code web}, as Thanos' {@code tools bucket web}: a page of the bucket's blocks, per external label set on a time axis
 * with their compaction levels, resolutions, sizes and marks, and Thanos' {@code /api/v1/blocks} JSON
 * ({@code {"status":"success","data":{"blocks":[meta.json…],"label":…,"refreshedAt":…,"err":…}}}) with each block's
 * marks and size beside it in {@code data.blockInfo}. The bucket is listed at start and every refresh interval; a failed
 * listing keeps the last one and is reported in {@code err}. Served by the JDK's HTTP server (no other dependency).
 */
public final class BucketWeb implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Bucket bucket;
    private final String label;
    private final Clock clock;
    private final HttpServer server;
    private final ScheduledExecutorService refresher;
    private volatile byte[] blocksJson;

    private BucketWeb(Bucket bucket, String label, Clock clock, HttpServer server) {
        this.bucket = bucket;
        this.label = label;
        this.clock = clock;
        this.server = server;
        this.refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("bucket-web-refresh").daemon().factory());
    }

    /**
     * Lists the bucket once, then serves on {@code address} and lists again every {@code refresh}.
     *
     * @param label the external label whose value names a label set's timeline (Thanos' {@code --label}); "" for the whole set
     */
    public static BucketWeb start(Bucket bucket, InetSocketAddress address, String label, Duration refresh, Clock clock) throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        BucketWeb web = new BucketWeb(bucket, label, clock, server);
        web.refresh();
        server.createContext("/", web::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        web.refresher.scheduleWithFixedDelay(web::refresh, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
        return web;
    }

    /** Where the server listens (its port when started on port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Lists the bucket now; a failure keeps the last listing and is reported in the API's {@code err}. */
    public void refresh() {
        ObjectNode data;
        try {
            BucketInventory inventory = BucketInventory.scan(bucket, Map.of());
            data = JSON.createObjectNode();
            ArrayNode blocks = data.putArray("blocks");
            ObjectNode info = JSON.createObjectNode();
            for (BlockEntry block : inventory.blocks()) {
                blocks.add(JSON.readTree(block.meta().toJson()));
                ObjectNode entry = info.putObject(block.meta().ulid().toString());
                ArrayNode marks = entry.putArray("marks");
                block.marks().forEach(marks::add);
                entry.put("sizeBytes", sizeOf(block.meta()));
            }
            data.put("label", label);
            data.put("refreshedAt", clock.instant().toString());
            data.putNull("err");
            data.set("blockInfo", info);
        } catch (IOException | RuntimeException e) {
            byte[] last = blocksJson;
            try {
                ObjectNode previous = last == null ? null : (ObjectNode) JSON.readTree(last).get("data");
                data = previous != null ? previous : JSON.createObjectNode().put("label", label).putNull("refreshedAt");
                if (previous == null) {
                    data.putArray("blocks");
                    data.putObject("blockInfo");
                }
            } catch (IOException unreadable) {
                throw new IllegalStateException(unreadable); // our own JSON
            }
            data.put("err", "listing bucket " + bucket.name() + " at " + Instant.now(clock) + " failed: " + e.getMessage());
        }
        ObjectNode body = JSON.createObjectNode().put("status", "success");
        body.set("data", data);
        try {
            blocksJson = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The bytes of the block's data (index and chunk segments): from {@code thanos.files} when the writer recorded them,
     * else the objects' sizes.
     */
    private long sizeOf(BlockMeta meta) {
        if (meta.thanos() != null && !meta.thanos().files().isEmpty()) {
            return meta.thanos().files().stream().mapToLong(BlockMeta.File::sizeBytes).sum();
        }
        String block = meta.ulid() + Bucket.DELIMITER;
        long size = 0;
        for (String object : bucket.list(block, true)) {
            if (object.equals(block + "index") || object.startsWith(block + "chunks" + Bucket.DELIMITER)) {
                size += bucket.attributes(object).size();
            }
        }
        return size;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                send(exchange, 405, "application/json", error("bad_data", "only GET is served"));
            } else if (path.equals("/api/v1/blocks")) {
                send(exchange, 200, "application/json", blocksJson);
            } else if (path.equals("/") || path.equals("/blocks")) {
                try (InputStream page = BucketWeb.class.getResourceAsStream("bucket-web.html")) {
                    send(exchange, 200, "text/html; charset=utf-8", page.readAllBytes());
                }
            } else if (path.equals("/-/healthy") || path.equals("/-/ready")) {
                send(exchange, 200, "text/plain; charset=utf-8", "OK\n".getBytes(StandardCharsets.UTF_8));
            } else {
                send(exchange, 404, "application/json", error("not_found", "no page " + path + "; the blocks are at / and /api/v1/blocks"));
            }
        }
    }

    private static byte[] error(String type, String message) throws IOException {
        return JSON.writeValueAsBytes(JSON.createObjectNode().put("status", "error").put("errorType", type).put("error", message));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
        server.stop(0);
    }
}
