package io.gauntlet.sidecar;

import io.gauntlet.tsdb.Labels;
import io.gauntlet.tsdb.storage.ChunkSeriesSet;
import java.util.ArrayList;
import java.util.List;

/** Series without chunks (a {@code skip_chunks} answer), sorted and unique. */
final class ListedSeriesSet implements ChunkSeriesSet {
    private final List<Labels> series;
    private int index = -1;

    ListedSeriesSet(List<Labels> unsorted) {
        List<Labels> sorted = new ArrayList<>(unsorted);
        sorted.sort(null);
        List<Labels> unique = new ArrayList<>(sorted.size());
        for (Labels labels : sorted) {
            if (unique.isEmpty() || !unique.getLast().equals(labels)) {
                unique.add(labels);
            }
        }
        this.series = unique;
    }

    @Override
    public boolean next() {
        if (index + 1 >= series.size()) {
            index = series.size();
            return false;
        }
        index++;
        return true;
    }

    @Override
    public Labels labels() {
        return series.get(index);
    }

    @Override
    public List<EncodedChunk> chunks() {
        return List.of();
    }
}
