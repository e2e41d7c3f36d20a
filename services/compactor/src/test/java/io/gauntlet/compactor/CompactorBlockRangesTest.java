package io.gauntlet.compactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gauntlet.compactor.block-ranges: Thanos' ranges by default, minutes-long ones for a soak, nonsense refused. */
class CompactorBlockRangesTest {
    @TempDir
    Path dir;

    @Test
    void defaultsToThanosRanges() {
        assertThat(CompactorService.options(config(Map.of())).ranges()).containsExactly(7_200_000L, 28_800_000L, 172_800_000L, 1_209_600_000L);
    }

    @Test
    void takesScaledDownRanges() {
        assertThat(CompactorService.options(config(Map.of("gauntlet.compactor.block-ranges", "2m,8m,48m"))).ranges())
                .containsExactly(120_000L, 480_000L, 2_880_000L);
    }

    @Test
    void refusesRangesThatDoNotGrow() {
        assertThatThrownBy(() -> CompactorService.options(config(Map.of("gauntlet.compactor.block-ranges", "8m,2m"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("increasing");
    }

    private CompactorConfig config(Map<String, String> values) {
        Map<String, String> all = new HashMap<>(values);
        all.put("gauntlet.compactor.data-dir", dir.toString());
        // Quarkus' converter reads "30m" as the service does
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(CompactorConfig.class).withConverter(Duration.class, 200, new DurationConverter())
                .withDefaultValues(all).build();
        return config.getConfigMapping(CompactorConfig.class);
    }
}
