package io.gauntlet.frontend;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** The querier behind the frontend, over HTTP/1.1 (JDK client): query parts as form POSTs, anything else forwarded as it came. */
public final class Downstream {
    /** Headers that belong to one hop (RFC 9110) or that the client sets itself. */
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect", "accept-encoding", "http2-settings");

    /** What the querier answered. */
    public record Answer(int status, Map<String, List<String>> headers, byte[] body) {
        public String contentType() {
            List<String> values = headers.get("content-type");
            return values == null || values.isEmpty() ? "application/json" : values.getFirst();
        }
    }

    /** The querier could not be reached or did not answer in time. */
    public static final class UnreachableException extends IOException {
        UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient client;
    private final Callable<String> authorization;

    public Downstream(URI base, Duration timeout) {
        this(base, timeout, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER), () -> null);
    }

    /**
     * @param client        the HTTP client's settings (TLS to an HTTPS querier); HTTP/1.1 is set here
     * @param authorization the frontend's own {@code Authorization} to the querier (its basic auth user), sent instead of
     *                      the caller's; null answers forward the caller's
     */
    public Downstream(URI base, Duration timeout, HttpClient.Builder client, Callable<String> authorization) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.timeout = timeout;
        this.client = client.version(HttpClient.Version.HTTP_1_1).build();
        this.authorization = authorization;
    }

    public URI base() {
        return base;
    }

    /** {@code POST path} with the parameters as a form. */
    public Answer postForm(String path, Parameters parameters, Map<String, List<String>> headers) throws UnreachableException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(parameters.encode(), StandardCharsets.UTF_8));
        copyHeaders(headers, request, Set.of("content-type"));
        return send(authorize(request).build());
    }

    /** Any request, forwarded: {@code pathAndQuery} as it came ({@code /api/v1/labels?match[]=…}). */
    public Answer forward(String method, String pathAndQuery, Map<String, List<String>> headers, byte[] body) throws UnreachableException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                .method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        copyHeaders(headers, request, Set.of());
        return send(authorize(request).build());
    }

    private static void copyHeaders(Map<String, List<String>> headers, HttpRequest.Builder request, Set<String> alsoSkipped) {
        headers.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(lower) && !alsoSkipped.contains(lower)) {
                for (String value : values) {
                    try {
                        request.header(name, value);
                    } catch (IllegalArgumentException restricted) {
                        // a header the JDK client sets itself (date, via, …): it sends its own
                    }
                }
            }
        });
    }

    /** The frontend's own credentials, when it has some, replace the caller's. */
    private HttpRequest.Builder authorize(HttpRequest.Builder request) throws UnreachableException {
        String own;
        try {
            own = authorization.call();
        } catch (Exception e) {
            throw new UnreachableException("querier " + base + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
        return own == null ? request : request.setHeader("Authorization", own);
    }

    private Answer send(HttpRequest request) throws UnreachableException {
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Answer(response.statusCode(), response.headers().map(), response.body());
        } catch (HttpTimeoutException e) {
            throw new UnreachableException("querier " + base + " did not answer within " + GoDuration.format(timeout), e);
        } catch (ConnectException e) {
            throw new UnreachableException("querier " + base + " is unreachable: connection refused", e);
        } catch (IOException e) {
            throw new UnreachableException("querier " + base + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while asking querier " + base, e);
        }
    }
}
