package io.gauntlet.seed;

import java.util.List;
import java.util.Locale;

/** A kind of history to seed: which series exist and how they move. */
public interface Profile {
    /** The name {@code --seed-profile} takes. */
    String name();

    /** How many targets (nodes, ...) {@code --seed-instances} defaults to. */
    int defaultInstances();

    /** The scrape interval (ms) {@code --seed-scrape-interval} defaults to. */
    default long defaultScrapeInterval() {
        return 30_000L;
    }

    /**
     * Every series of {@code instances} targets over {@code [start, end)}, in any order. The same arguments give the
     * same series and values on every run.
     */
    List<SyntheticSeries> series(int instances, long start, long end, long scrapeInterval, long seed);

    List<Profile> ALL = List.of(new NodeExporterProfile(), new KubeProfile(), new DemoProfile(), new MinimalProfile());

    static Profile named(String name) {
        for (Profile profile : ALL) {
            if (profile.name().equals(name.toLowerCase(Locale.ROOT))) {
                return profile;
            }
        }
        throw new IllegalArgumentException("unknown seed profile '" + name + "': expected one of "
                + String.join(", ", ALL.stream().map(Profile::name).toList()));
    }
}
