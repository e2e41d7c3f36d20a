package io.gauntlet.objstore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A hand-written container credentials endpoint on loopback, as the EKS Pod Identity Agent serves it (no real one
 * runs here): {@code GET /v1/credentials} with the pod's token in the {@code Authorization} header, answered with
 * {@code AccessKeyId}, {@code SecretAccessKey}, {@code Token} and {@code Expiration} (JSON); a wrong or missing token
 * gets 401. The key pair is the one s3proxy knows; each answer has a fresh session token and expires
 * {@code lifetime} from now in the test's clock.
 */
final class LoopbackContainerCredentialsServer implements AutoCloseable {
    static final String PATH = "/v1/credentials";

    private final HttpServer server;
    private final Supplier<String> expectedToken;
    private final String accessKey;
    private final String secretKey;
    private final Duration lifetime;
    private final List<String> issuedSessionTokens = new CopyOnWriteArrayList<>();
    private final List<Integer> refusals = new CopyOnWriteArrayList<>();

    LoopbackContainerCredentialsServer(Supplier<String> expectedToken, String accessKey, String secretKey, Duration lifetime) {
        this.expectedToken = expectedToken;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.lifetime = lifetime;
        server = LoopbackHttp.start(PATH, this::handle);
    }

    String fullUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    List<String> issuedSessionTokens() {
        return issuedSessionTokens;
    }

    List<Integer> refusals() {
        return refusals;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                LoopbackHttp.send(exchange, 405, "application/json", "{\"Code\":\"MethodNotAllowed\",\"Message\":\"GET only\"}");
                return;
            }
            if (!expectedToken.get().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                refusals.add(401);
                LoopbackHttp.send(exchange, 401, "application/json", "{\"Code\":\"AccessDeniedException\",\"Message\":\"invalid or missing authorization token\"}");
                return;
            }
            String sessionToken = "loopback-pod-identity-" + UUID.randomUUID();
            issuedSessionTokens.add(sessionToken);
            LoopbackHttp.send(exchange, 200, "application/json", """
                    {"AccessKeyId":"%s","SecretAccessKey":"%s","Token":"%s","AccountId":"111122223333","Expiration":"%s"}
                    """.formatted(accessKey, secretKey, sessionToken, Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS)));
        }
    }


    @Override
    public void close() {
        server.stop(0);
    }
}
