package io.gauntlet.objstore;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An object storage bucket with Thanos' semantics: flat object names with "/" as the directory delimiter,
 * whole-object uploads that readers never see half-written, and one-level or recursive listing.
 *
 * <p>Every method throws {@link ObjectNotFoundException} when the named object does not exist (where that
 * can happen) and {@link BucketException} for any other failure, after the backend's retries.
 */
public interface Bucket extends AutoCloseable {
    /** The directory delimiter of object names. */
    String DELIMITER = "/";

    /** Uploads a local file as object {@code name}, replacing any existing object. */
    void upload(String name, Path file);

    /** Uploads exactly {@code length} bytes of {@code data} as object {@code name}; does not close the stream. */
    void upload(String name, InputStream data, long length);

    /** The whole object; the caller closes the stream. */
    InputStream get(String name);

    /**
     * {@code length} bytes from {@code offset} ({@code length} -1: to the end). A range that runs past the end is
     * cut at the end; one that starts past the end is a {@link BucketException}.
     */
    InputStream getRange(String name, long offset, long length);

    boolean exists(String name);

    /**
     * Calls {@code consumer} with the full name of every entry under {@code dir} ("" for the root), in lexical
     * order. One level: objects directly in {@code dir} and its sub-directories as names ending in "/".
     * Recursive: every object below {@code dir}, no directory entries. A missing directory has no entries.
     */
    void iter(String dir, boolean recursive, Consumer<String> consumer);

    /** {@link #iter} collected into a list. */
    default List<String> list(String dir, boolean recursive) {
        List<String> names = new ArrayList<>();
        iter(dir, recursive, names::add);
        return names;
    }

    /** Deletes object {@code name}; deleting an object that does not exist is not an error (retries stay simple). */
    void delete(String name);

    ObjectAttributes attributes(String name);

    /** A name for logs and the {@code bucket} label of the metrics. */
    String name();

    /** Releases the backend's connections; never throws. */
    @Override
    void close();
}
