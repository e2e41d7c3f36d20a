package io.gauntlet.objstore;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A hand-written STS on loopback (no real one runs here) that speaks the real protocol of one action,
 * {@code AssumeRoleWithWebIdentity} (AWS query protocol: a form POST, an XML answer, {@code ErrorResponse} on
 * failure). It checks that the web identity token is the one the test put in the token file and that the role is the
 * one it trusts; it answers with the key pair it was given (the one s3proxy knows), a fresh session token and an
 * expiry {@code lifetime} from now in the test's clock. An untrusted role gets 403 AccessDenied, a wrong token 400
 * InvalidIdentityToken, as STS answers.
 */
final class LoopbackStsServer implements AutoCloseable {
    private final HttpServer server;
    private final String trustedRole;
    private final Supplier<String> expectedToken;
    private final String accessKey;
    private final String secretKey;
    private final Duration lifetime;
    private final List<String> issuedSessionTokens = new CopyOnWriteArrayList<>();
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    LoopbackStsServer(String trustedRole, Supplier<String> expectedToken, String accessKey, String secretKey, Duration lifetime) {
        this.trustedRole = trustedRole;
        this.expectedToken = expectedToken;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.lifetime = lifetime;
        server = LoopbackHttp.start("/", this::handle);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Session tokens handed out, in order: one per successful AssumeRoleWithWebIdentity. */
    List<String> issuedSessionTokens() {
        return issuedSessionTokens;
    }

    List<String> refusals() {
        return refusals;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> form = parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (!"POST".equals(exchange.getRequestMethod()) || !"AssumeRoleWithWebIdentity".equals(form.get("Action"))
                    || !"2011-06-15".equals(form.get("Version"))) {
                error(exchange, 400, "InvalidAction", "only AssumeRoleWithWebIdentity (2011-06-15) is served here, got "
                        + exchange.getRequestMethod() + " " + form.get("Action"));
                return;
            }
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                error(exchange, 400, "InvalidRequest", "AssumeRoleWithWebIdentity is not signed");
                return;
            }
            if (!expectedToken.get().equals(form.get("WebIdentityToken"))) {
                error(exchange, 400, "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS");
                return;
            }
            String role = form.getOrDefault("RoleArn", "");
            if (!trustedRole.equals(role)) {
                error(exchange, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
                return;
            }
            String sessionName = form.getOrDefault("RoleSessionName", "");
            String sessionToken = "loopback-session-" + UUID.randomUUID();
            issuedSessionTokens.add(sessionToken);
            String roleName = role.substring(role.lastIndexOf('/') + 1);
            String body = """
                    <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                      <AssumeRoleWithWebIdentityResult>
                        <SubjectFromWebIdentityToken>system:serviceaccount:gauntlet:test</SubjectFromWebIdentityToken>
                        <Audience>sts.amazonaws.com</Audience>
                        <AssumedRoleUser>
                          <Arn>arn:aws:sts::111122223333:assumed-role/%s/%s</Arn>
                          <AssumedRoleId>AROALOOPBACK:%s</AssumedRoleId>
                        </AssumedRoleUser>
                        <Credentials>
                          <SessionToken>%s</SessionToken>
                          <SecretAccessKey>%s</SecretAccessKey>
                          <Expiration>%s</Expiration>
                          <AccessKeyId>%s</AccessKeyId>
                        </Credentials>
                        <Provider>oidc.eks.loopback</Provider>
                      </AssumeRoleWithWebIdentityResult>
                      <ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>
                    </AssumeRoleWithWebIdentityResponse>
                    """.formatted(roleName, sessionName, sessionName, sessionToken, secretKey,
                    Instant.now().plus(lifetime).truncatedTo(ChronoUnit.SECONDS), accessKey, UUID.randomUUID());
            LoopbackHttp.send(exchange, 200, "text/xml", body);
        }
    }

    private void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        refusals.add(code);
        LoopbackHttp.send(exchange, status, "text/xml", """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                  <RequestId>%s</RequestId>
                </ErrorResponse>
                """.formatted(code, message, UUID.randomUUID()));
    }


    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
