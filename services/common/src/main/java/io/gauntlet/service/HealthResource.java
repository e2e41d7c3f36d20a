package io.gauntlet.service;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Prometheus/Thanos style probes: {@code /-/healthy} while the process runs, {@code /-/ready} when it can serve. */
@Path("/-")
@Produces(MediaType.TEXT_PLAIN)
public class HealthResource {
    @Inject
    ReadinessRegistry readiness;

    @GET
    @Path("healthy")
    public String healthy() {
        return "Healthy.\n";
    }

    @HEAD
    @Path("healthy")
    public Response healthyHead() {
        return Response.ok().build();
    }

    @GET
    @Path("ready")
    public Response ready() {
        List<String> reasons = readiness.notReadyReasons();
        if (reasons.isEmpty()) {
            return Response.ok("Ready.\n").build();
        }
        return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("Not ready.\n" + String.join("\n", reasons) + "\n").build();
    }

    @HEAD
    @Path("ready")
    public Response readyHead() {
        return Response.status(readiness.ready() ? Response.Status.OK : Response.Status.SERVICE_UNAVAILABLE).build();
    }
}
