package io.gauntlet.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedStatusTest {
    @Test
    void compactionEtaFollowsThePaceSinceTheSeedingEnded() {
        assertThat(SeedStatus.compactionEta(600_000, 0.25, 1.0)).isEqualTo("ETA 30m0s");
        assertThat(SeedStatus.compactionEta(600_000, 0.25, 0.5)).isEqualTo("ETA 10m0s");
        assertThat(SeedStatus.compactionEta(90_000, 0, 1.0)).isEqualTo("compactor working (1m30s so far)");
        assertThat(SeedStatus.compactionEta(600_000, 1.0, 1.0)).isEmpty();
        assertThat(SeedStatus.compactionEta(600_000, 0.97, 0.97)).isEqualTo("done (the rest is in blocks under 40h)");
    }

    @Test
    void barAndCoverage() {
        assertThat(SeedStatus.bar(0.5)).isEqualTo("[###############---------------]");
        assertThat(SeedStatus.coverage(List.of(new long[] {0, 50}, new long[] {25, 75}), 0, 100)).isEqualTo(0.75);
    }
}
