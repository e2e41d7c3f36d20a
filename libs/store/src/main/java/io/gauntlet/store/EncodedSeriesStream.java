package io.gauntlet.store;

import io.gauntlet.tsdb.storage.StorageException;
import java.util.List;

/**
 * An answer of an {@link EncodedSeriesSource}, pulled only as fast as the client reads: each {@link #advance} hands a
 * little more of it (e.g. one remote read frame) to the {@link SeriesEncoder} it was opened with. The adapter closes
 * it when the call ends, also on cancellation.
 */
public interface EncodedSeriesStream extends AutoCloseable {
    /** Feeds the next part of the answer to the encoder; false once the answer has ended (nothing was fed then). */
    boolean advance() throws StorageException;

    /** Warnings to send after the series, e.g. from a proxying source whose own stores answered partially. */
    default List<String> warnings() {
        return List.of();
    }

    @Override
    default void close() {
    }
}
