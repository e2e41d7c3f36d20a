package io.gauntlet.ruler;

import io.gauntlet.rules.RuleManager;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /-/reload}: reads the rule files again; 500 with promtool's errors when they are invalid (the running rules stay). */
@Path("/-/reload")
public class ReloadResource {
    @Inject
    RulerServices ruler;

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public Response reload() {
        RuleManager.ReloadResult result = ruler.reload();
        if (!result.ok()) {
            return Response.status(500).entity("failed to reload rules, the previous rules keep running:\n"
                    + String.join("\n", result.errors()) + "\n").build();
        }
        return Response.ok("reloaded " + result.groups() + " groups, " + result.rules() + " rules\n").build();
    }
}
