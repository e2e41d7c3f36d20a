package io.gauntlet.ruler;

import io.gauntlet.rules.RulesJson;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Prometheus' {@code /api/v1/rules} and {@code /api/v1/alerts}. */
@Path("/api/v1")
public class RulesResource {
    @Inject
    RulerServices ruler;

    @GET
    @Path("rules")
    @Produces(MediaType.APPLICATION_JSON)
    public Response rules(@QueryParam("type") String type) {
        String filter = type == null ? "" : type;
        if (!filter.isEmpty() && !filter.equals("alert") && !filter.equals("record")) {
            return Response.status(400).type(MediaType.APPLICATION_JSON)
                    .entity("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"type\\\": not supported value \\\""
                            + filter.replace("\\", "\\\\").replace("\"", "\\\"") + "\\\"\"}").build();
        }
        return Response.ok(RulesJson.rules(ruler.manager().groups(), filter, ruler.externalLabels())).build();
    }

    @GET
    @Path("alerts")
    @Produces(MediaType.APPLICATION_JSON)
    public Response alerts() {
        return Response.ok(RulesJson.alerts(ruler.manager().groups(), ruler.externalLabels())).build();
    }
}
