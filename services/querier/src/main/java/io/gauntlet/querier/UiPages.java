package io.gauntlet.querier;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * The UI's page paths ({@code /graph?g0.expr=…} as Prometheus links them, {@code /stores}, {@code /rules},
 * {@code /alerts}, {@code /status}) answer with the UI's one page, which reads the path; {@code /} is the same page
 * served as a static resource.
 */
@Path("/")
public class UiPages {
    private static final String PAGE = "META-INF/resources/index.html";

    @GET
    @Path("{page: graph|stores|rules|alerts|status|flags|config}")
    @Produces(MediaType.TEXT_HTML)
    public Response page() throws IOException {
        try (InputStream in = UiPages.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                return Response.status(Response.Status.NOT_FOUND).type(MediaType.TEXT_PLAIN)
                        .entity("the query UI was not built into this querier (its build needs node and npm)\n").build();
            }
            return Response.ok(in.readAllBytes()).header("Cache-Control", "no-cache").build();
        }
    }
}
