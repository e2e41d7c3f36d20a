package io.gauntlet.querier;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MultivaluedMap;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Prometheus' CORS answer on its API (httputil.SetCORS with the default {@code --web.cors.origin=".*"}): when a
 * request carries an Origin, every answer allows any origin, the Prometheus methods and headers, and exposes Date.
 */
public final class CorsHeaders {
    @ServerResponseFilter
    public void allowOrigins(ContainerRequestContext request, ContainerResponseContext response) {
        String origin = request.getHeaderString("Origin");
        if (origin == null || origin.isEmpty() || !request.getUriInfo().getPath().startsWith("/api/v1")
                || request.getProperty(UnroutedApiRequests.UNROUTED) != null) {
            return;
        }
        MultivaluedMap<String, Object> headers = response.getHeaders();
        headers.putSingle("Access-Control-Allow-Headers", "Accept, Authorization, Content-Type, Origin");
        headers.putSingle("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        headers.putSingle("Access-Control-Expose-Headers", "Date");
        headers.putSingle("Vary", "Origin");
        headers.putSingle("Access-Control-Allow-Origin", "*");
    }
}
