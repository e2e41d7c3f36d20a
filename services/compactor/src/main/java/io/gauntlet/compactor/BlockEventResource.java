package io.gauntlet.compactor;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gauntlet.compact.CompactorRunner;
import io.gauntlet.compact.CompactorRunner.GroupResult;
import io.gauntlet.events.BlockEvent;
import io.gauntlet.events.BlockEventHttp;
import io.gauntlet.events.MalformedEventException;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Block events as CloudEvents over HTTP ({@code POST /}, binary or structured content mode), as a Knative KafkaSource
 * delivers them: the answer is 200 only when the event's group has been worked on to the end or needs nothing, 503
 * (retryable, with {@code Retry-After}) when the work is not done, 400 for a request that is not a block event.
 */
@Path("/")
public class BlockEventResource {
    private static final Logger LOG = Logger.getLogger(BlockEventResource.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETRY_AFTER_SECONDS = "10";

    @Inject
    CompactorService service;

    @POST
    public Response deliver(HttpHeaders headers, byte[] body) {
        BlockEvent event;
        try {
            event = BlockEventHttp.read(headers::getHeaderString, body);
        } catch (MalformedEventException e) {
            LOG.debugf("refused a delivered event: %s", e.getMessage());
            return error(Response.Status.BAD_REQUEST, "bad_data", e.getMessage()).build();
        }
        CompactorRunner runner = service.runner();
        if (runner == null) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "unavailable", "the compactor is starting").header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        GroupResult result = runner.compactGroup(event);
        ObjectNode answer = JSON.createObjectNode().put("id", event.id()).put("ulid", event.ulid()).put("group", result.group())
                .put("outcome", result.status().name().toLowerCase(Locale.ROOT)).put("detail", result.detail());
        if (result.status() == GroupResult.Status.RETRY) {
            LOG.warnf("event %s (block %s, group %s) not done, asking for redelivery: %s", event.id(), event.ulid(), result.group(), result.detail());
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON).header("Retry-After", RETRY_AFTER_SECONDS)
                    .entity(answer.put("status", "error").put("errorType", "unavailable").put("error", result.detail()).toString()).build();
        }
        LOG.debugf("event %s (block %s): %s", event.id(), event.ulid(), result);
        return Response.ok(answer.put("status", "success").toString(), MediaType.APPLICATION_JSON).build();
    }

    private static Response.ResponseBuilder error(Response.Status status, String errorType, String message) {
        String body = JSON.createObjectNode().put("status", "error").put("errorType", errorType).put("error", message).toString();
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body);
    }
}
