package io.gauntlet.querier;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;

/**
 * {@code /} and the UI's page paths ({@code /graph?g0.expr=…} as Prometheus links them, {@code /stores}, {@code /rules},
 * {@code /alerts}, {@code /status}) answer with the UI's one page, which reads the path. The page is not cached (it
 * names the script and stylesheet by their content hash, which browsers keep), so an upgraded querier's UI shows at
 * once.
 */
@Path("/")
public class UiPages {
    private static final String PAGE = "gauntlet-ui/index.html";

    @GET
    @Produces(MediaType.TEXT_HTML)
    public Response root() throws IOException {
        return page();
    }

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
