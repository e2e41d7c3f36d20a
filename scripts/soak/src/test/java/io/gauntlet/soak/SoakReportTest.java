package io.gauntlet.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SoakReportTest {
    @Test
    void aQueryBelongsToTheShortestPhaseItFallsIn() {
        // a full outbox disk lasts minutes alongside shorter faults: a query during both counts for the shorter one
        List<SoakReport.Phase> phases = List.of(new SoakReport.Phase(1_000, 200_000, "diskfull shipper"),
                new SoakReport.Phase(50_000, 60_000, "partition slave1"));
        assertThat(SoakReport.phaseAt(phases, 55_000)).isEqualTo("partition slave1");
        assertThat(SoakReport.phaseAt(phases, 70_000)).isEqualTo("diskfull shipper");
        assertThat(SoakReport.phaseAt(phases, 500)).isEqualTo("calm");
        assertThat(SoakReport.phaseAt(phases, 200_000)).isEqualTo("calm");
    }
}
