package io.gauntlet.querier;

import io.gauntlet.query.PrometheusApiRoutes;
import io.gauntlet.query.PrometheusJson;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Requests under {@code /api/v1} that Prometheus 2.42's router would not hand to a handler are answered as it answers
 * them (404 text, 405 with Allow, trailing-slash and letter-case redirects) before JAX-RS matching, so no client ever
 * sees an HTML page from the API. Routes Prometheus has and the querier does not serve answer as a Prometheus with the
 * feature off does (admin APIs, remote write) or, as Thanos' querier, with Go's 404 (remote read, WAL replay, target
 * metadata).
 */
public final class UnroutedApiRequests {
    static final String UNROUTED = "gauntlet.api.unrouted";
    private static final String PREFIX = "/api/v1";
    private static final String TEXT = "text/plain; charset=utf-8";
    /** Routes the querier leaves to Go's 404, as Thanos' querier, which does not register them. */
    private static final Set<String> NOT_SERVED = Set.of("/read", "/status/walreplay", "/targets/metadata");

    @ServerRequestFilter(preMatching = true)
    public Response answerUnrouted(ContainerRequestContext context, HttpServerRequest request) {
        String fullPath = request.path();
        if (fullPath == null || !fullPath.startsWith(PREFIX) || (fullPath.length() > PREFIX.length() && fullPath.charAt(PREFIX.length()) != '/')) {
            return null;
        }
        Response answer = fullPath.equals(PREFIX) // Go's ServeMux: the subtree's root with its slash
                ? redirect(request.method().name(), new PrometheusApiRoutes.Redirect(301, PREFIX + "/" + (request.query() == null ? "" : "?" + request.query())))
                : answer(request.method().name(), PrometheusApiRoutes.unescapePath(fullPath), request.query());
        if (answer != null) {
            context.setProperty(UNROUTED, Boolean.TRUE); // Prometheus sets CORS headers in its handlers only
        }
        return answer;
    }

    private static Response answer(String method, String fullPath, String rawQuery) {
        PrometheusApiRoutes.Redirect unclean = PrometheusApiRoutes.uncleanPath(fullPath, rawQuery);
        if (unclean != null) {
            return redirect(method, unclean);
        }
        PrometheusApiRoutes.Outcome outcome = PrometheusApiRoutes.route(method, fullPath.substring(PREFIX.length()), rawQuery);
        return switch (outcome) {
            case PrometheusApiRoutes.Routed routed -> servedElsewhere(routed.route());
            case PrometheusApiRoutes.NotFound notFound -> notFound();
            case PrometheusApiRoutes.MethodNotAllowed notAllowed -> text(405, PrometheusApiRoutes.MethodNotAllowed.BODY).header("Allow", notAllowed.allow()).build();
            case PrometheusApiRoutes.Redirect redirect -> redirect(method, redirect);
        };
    }

    /** Null when the querier's own resources answer the route. */
    private static Response servedElsewhere(String route) {
        if (NOT_SERVED.contains(route)) {
            return notFound();
        }
        if (route.startsWith("/admin/")) {
            return Response.status(500).type("application/json")
                    .entity(PrometheusJson.error("unavailable", "admin APIs disabled", List.of()).getBytes(StandardCharsets.UTF_8)).build();
        }
        if (route.equals("/write")) {
            return text(404, "remote write receiver needs to be enabled with --enable-feature=remote-write-receiver\n").build();
        }
        return null;
    }

    private static Response notFound() {
        return text(404, PrometheusApiRoutes.NotFound.BODY).build();
    }

    private static Response.ResponseBuilder text(int status, String body) {
        return Response.status(status).type(TEXT).header("X-Content-Type-Options", "nosniff").entity(body.getBytes(StandardCharsets.UTF_8));
    }

    private static Response redirect(String method, PrometheusApiRoutes.Redirect redirect) {
        Response.ResponseBuilder builder = Response.status(redirect.status()).header("Location", redirect.location());
        String body = redirect.body(method);
        if (method.equals("GET") || method.equals("HEAD")) {
            builder.type("text/html; charset=utf-8");
        }
        return body.isEmpty() ? builder.build() : builder.entity(body.getBytes(StandardCharsets.UTF_8)).build();
    }
}
