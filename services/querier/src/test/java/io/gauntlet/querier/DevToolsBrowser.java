package io.gauntlet.querier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Headless Chromium driven over the DevTools protocol (the JDK's WebSocket client), for UI tests that type, press keys
 * and click as a user does: evaluate JavaScript, insert text, press keys, take screenshots. Closing stops the browser.
 */
final class DevToolsBrowser implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://[^\\s]+)");
    private final ObjectMapper json = new ObjectMapper();
    private final Process process;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final Queue<JsonNode> events = new ConcurrentLinkedQueue<>();

    private DevToolsBrowser(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    static DevToolsBrowser open(Path chromium, String url) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("querier-ui-devtools");
        Process process = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--window-size=1200,900", url).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String browserUrl = null;
        BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; browserUrl == null && (line = stderr.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                browserUrl = m.group(1);
            }
        }
        if (browserUrl == null) {
            process.destroyForcibly();
            throw new IOException("chromium did not announce its DevTools endpoint");
        }
        Thread.ofPlatform().daemon().start(() -> stderr.lines().forEach(l -> { })); // keep draining stderr
        URI browser = URI.create(browserUrl);
        HttpClient http = HttpClient.newHttpClient();
        String list = http.send(HttpRequest.newBuilder(URI.create("http://" + browser.getAuthority() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String pageUrl = null;
        for (JsonNode target : new ObjectMapper().readTree(list)) {
            if (target.path("type").asText().equals("page")) {
                pageUrl = target.path("webSocketDebuggerUrl").asText();
            }
        }
        if (pageUrl == null) {
            process.destroyForcibly();
            throw new IOException("chromium has no page target: " + list);
        }
        DevToolsBrowser[] self = new DevToolsBrowser[1];
        StringBuilder partial = new StringBuilder();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageUrl), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    self[0].received(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).join();
        self[0] = new DevToolsBrowser(process, socket);
        return self[0];
    }

    private void received(String message) {
        try {
            JsonNode node = json.readTree(message);
            if (node.has("id")) {
                CompletableFuture<JsonNode> future = pending.remove(node.get("id").asInt());
                if (future != null) {
                    future.complete(node);
                }
            } else if (node.has("method")) {
                events.add(node);
            }
        } catch (IOException e) {
            // not ours to fail on: events we do not read
        }
    }

    /** Sends a DevTools command and returns its result (fails on a protocol error). */
    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode command = json.createObjectNode().put("id", id).put("method", method);
        command.set("params", json.valueToTree(params));
        socket.sendText(json.writeValueAsString(command), true).join();
        JsonNode response = answer.get(30, TimeUnit.SECONDS);
        if (response.has("error")) {
            throw new IllegalStateException(method + ": " + response.get("error"));
        }
        return response.path("result");
    }

    /** The events received so far (each with its method and params) whose method is the one given, taken off the list. */
    List<JsonNode> takeEvents(String method) {
        List<JsonNode> taken = new ArrayList<>();
        events.removeIf(event -> event.path("method").asText().equals(method) && taken.add(event));
        return taken;
    }

    /** The value of a JavaScript expression in the page (promises awaited). */
    JsonNode evaluate(String expression) throws Exception {
        return call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true)).path("result").path("value");
    }

    void type(String text) throws Exception {
        call("Input.insertText", Map.of("text", text));
    }

    void press(String key, int keyCode) throws Exception {
        for (String type : new String[] {"keyDown", "keyUp"}) {
            call("Input.dispatchKeyEvent", Map.of("type", type, "key", key, "code", key, "windowsVirtualKeyCode", keyCode,
                    "text", type.equals("keyDown") && key.equals("Enter") ? "\r" : ""));
        }
    }

    void screenshot(Path file) throws Exception {
        String data = call("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws InterruptedException {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static Duration patience() {
        return Duration.ofSeconds(60);
    }
}
