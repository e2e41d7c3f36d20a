package io.gauntlet.querier;

import io.gauntlet.query.ApiException;
import io.gauntlet.query.EndpointSet;
import io.gauntlet.query.PrometheusJson;
import io.gauntlet.query.QuerierLoopGuard;
import io.gauntlet.query.RulesFanOut;
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
import java.util.function.Function;

/**
 * {@code /api/v1/rules} and {@code /api/v1/alerts} over every rule-serving endpoint (rulers, sidecars announcing the
 * Rules API), deduplicated on the replica labels, so Grafana's alert views work against the querier.
 */
@Path("/api/v1")
public class QuerierRules {
    @Inject
    RulesFanOut rules;
    @Inject
    QuerierConfig config;

    @ApplicationScoped
    static class Producer {
        @Produces
        @Singleton
        RulesFanOut rulesFanOut(EndpointSet endpoints, QuerierConfig config) {
            return new RulesFanOut(endpoints::healthy, config.timeout());
        }

        /** For a querier one level up (Info announces it while an endpoint offers rules): groups not deduplicated. */
        @Produces
        @Unremovable
        @Named("thanos.Rules")
        ServerServiceDefinition rulesService(RulesFanOut fanOut, QuerierLoopGuard loopGuard, EndpointSet endpoints) {
            return QuerierServices.forQuerierAbove(fanOut.service().bindService(), loopGuard, endpoints, SnappyCodec.answerInKind());
        }

        void close(@Disposes RulesFanOut fanOut) {
            fanOut.close();
        }
    }

    @GET
    @Path("rules")
    public Response rules(@QueryParam("type") String type, @QueryParam("dedup") String dedup,
            @QueryParam("partial_response") String partialResponse) {
        return answer(type, dedup, partialResponse, RulesFanOut::rulesData);
    }

    @GET
    @Path("alerts")
    public Response alerts(@QueryParam("dedup") String dedup, @QueryParam("partial_response") String partialResponse) {
        return answer("alert", dedup, partialResponse, RulesFanOut::alertsData);
    }

    private Response answer(String type, String dedup, String partialResponse,
            Function<List<io.gauntlet.proto.thanos.rules.RuleGroup>, String> data) {
        try {
            List<String> replicaLabels = "false".equals(dedup) ? List.of() : config.replicaLabels().orElse(List.of());
            boolean partial = partialResponse == null || partialResponse.isEmpty() ? config.partialResponse() : Boolean.parseBoolean(partialResponse);
            RulesFanOut.Result result = rules.rules(type == null ? "" : type, replicaLabels, partial);
            return Response.ok(PrometheusJson.success(data.apply(result.groups()), result.warnings()), MediaType.APPLICATION_JSON).build();
        } catch (ApiException e) {
            return Response.status(ApiException.httpStatus(e.type())).type(MediaType.APPLICATION_JSON)
                    .entity(PrometheusJson.error(e.type().apiName(), e.getMessage(), List.of())).build();
        }
    }
}
