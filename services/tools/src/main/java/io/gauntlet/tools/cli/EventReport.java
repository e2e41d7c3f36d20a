package io.gauntlet.tools.cli;

import io.gauntlet.tools.ToolEvents;
import picocli.CommandLine;

/** Turns block events that could not be published into a stderr line each and exit code 4. */
final class EventReport {
    private EventReport() {
    }

    static int exitCode(ToolEvents events, CommandLine.Model.CommandSpec spec) {
        spec.commandLine().getOut().flush();
        if (events.failures().isEmpty()) {
            return 0;
        }
        events.failures().forEach(failure -> spec.commandLine().getErr().println("gauntlet tools: event not published (consumers see the change"
                + " at their next bucket scan): " + failure));
        return GauntletTools.EVENTS_FAILED;
    }
}
