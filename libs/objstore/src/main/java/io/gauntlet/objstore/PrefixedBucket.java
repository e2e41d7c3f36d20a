package io.gauntlet.objstore;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Every object of the wrapped bucket below {@code prefix/}, seen as if the prefix were the root (Thanos' {@code prefix}). */
public final class PrefixedBucket implements Bucket {
    private final Bucket delegate;
    private final String prefix; // with a trailing "/"

    public PrefixedBucket(Bucket delegate, String prefix) {
        String normalized = ObjectNames.normalizeDir(prefix.startsWith(DELIMITER) ? prefix.substring(1) : prefix);
        if (normalized.isEmpty()) {
            throw new IllegalArgumentException("a prefixed bucket needs a non-empty prefix");
        }
        this.delegate = delegate;
        this.prefix = normalized;
    }

    public String prefix() {
        return prefix.substring(0, prefix.length() - 1);
    }

    private String full(String name) {
        return prefix + ObjectNames.checkObjectName(name);
    }

    @Override
    public void upload(String name, Path file) {
        delegate.upload(full(name), file);
    }

    @Override
    public void upload(String name, InputStream data, long length) {
        delegate.upload(full(name), data, length);
    }

    @Override
    public InputStream get(String name) {
        try {
            return delegate.get(full(name));
        } catch (ObjectNotFoundException e) {
            throw new ObjectNotFoundException(name(), name);
        }
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        try {
            return delegate.getRange(full(name), offset, length);
        } catch (ObjectNotFoundException e) {
            throw new ObjectNotFoundException(name(), name);
        }
    }

    @Override
    public boolean exists(String name) {
        return delegate.exists(full(name));
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        String relative = ObjectNames.normalizeDir(dir);
        delegate.iter(prefix + relative, recursive, entry -> consumer.accept(entry.substring(prefix.length())));
    }

    @Override
    public void delete(String name) {
        delegate.delete(full(name));
    }

    @Override
    public ObjectAttributes attributes(String name) {
        try {
            return delegate.attributes(full(name));
        } catch (ObjectNotFoundException e) {
            throw new ObjectNotFoundException(name(), name);
        }
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "PrefixedBucket[" + prefix() + ", " + delegate + "]";
    }
}
