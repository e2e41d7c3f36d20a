package io.gauntlet.querier;

import io.gauntlet.query.ApiException;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.PrometheusJson;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.query.StatusFanOut;
import io.gauntlet.store.SnappyCodec;
import io.grpc.ServerServiceDefinition;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * {@code /api/v1/status/tsdb} as the newest Thanos querier serves it: the TSDB statistics of every endpoint offering the
 * Status API (sidecars, from their Prometheus), merged; and the querier's own {@code thanos.Status} for a querier above.
 */
@Path("/api/v1")
public class QuerierTsdbStatus {
    @Inject
    StatusFanOut status;
    @Inject
    QuerierConfig config;

    @ApplicationScoped
    static class Producer {
        @Produces
        @Singleton
        StatusFanOut statusFanOut(EndpointSet endpoints, QuerierConfig config) {
            return new StatusFanOut(endpoints::healthy, config.timeout());
        }

        /** For a querier one level up (Info announces it while an endpoint offers it): the endpoints' statistics as answered. */
        @Produces
        @Unremovable
        @Named("thanos.Status")
        ServerServiceDefinition statusService(StatusFanOut fanOut, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
            return QuerierServices.forQuerierAbove(fanOut.service().bindService(), loopGuard, endpoints, SnappyCodec.answerInKind());
        }

        void close(@Disposes StatusFanOut fanOut) {
            fanOut.close();
        }
    }

    @GET
    @Path("status/tsdb")
    public Response tsdb(@QueryParam("limit") String limit, @QueryParam("partial_response") String partialResponse) {
        try {
            boolean partial = partialResponse == null || partialResponse.isEmpty() ? config.partialResponse() : Boolean.parseBoolean(partialResponse);
            return Response.ok(status.apiAnswer(limit, partial), MediaType.APPLICATION_JSON).build();
        } catch (ApiException e) {
            return Response.status(ApiException.httpStatus(e.type())).type(MediaType.APPLICATION_JSON)
                    .entity(PrometheusJson.error(e.type().apiName(), e.getMessage(), List.of())).build();
        }
    }
}
