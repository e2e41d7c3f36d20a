package io.gauntlet.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedStatusTest {
    @Test
    void compactionEtaFollowsThePaceSinceTheSeedingEnded() {
        assertThat(SeedStatus.compactionEta(600_000, 0.25)).isEqualTo("ETA 30m0s");
        assertThat(SeedStatus.compactionEta(90_000, 0)).isEqualTo("compactor working (1m30s so far)");
        assertThat(SeedStatus.compactionEta(600_000, 1.0)).isEmpty();
    }

    @Test
    void barAndCoverage() {
        assertThat(SeedStatus.bar(0.5)).isEqualTo("[###############---------------]");
        assertThat(SeedStatus.coverage(List.of(new long[] {0, 50}, new long[] {25, 75}), 0, 100)).isEqualTo(0.75);
    }
}
