package io.gauntlet.objstore;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;

/** A bucket that passes every call to another; extend it to change or observe a few calls (tests, wrappers). */
public abstract class ForwardingBucket implements Bucket {
    private final Bucket delegate;

    protected ForwardingBucket(Bucket delegate) {
        this.delegate = delegate;
    }

    protected Bucket delegate() {
        return delegate;
    }

    @Override
    public void upload(String name, Path file) {
        delegate.upload(name, file);
    }

    @Override
    public void upload(String name, InputStream data, long length) {
        delegate.upload(name, data, length);
    }

    @Override
    public InputStream get(String name) {
        return delegate.get(name);
    }

    @Override
    public InputStream getRange(String name, long offset, long length) {
        return delegate.getRange(name, offset, length);
    }

    @Override
    public boolean exists(String name) {
        return delegate.exists(name);
    }

    @Override
    public void iter(String dir, boolean recursive, Consumer<String> consumer) {
        delegate.iter(dir, recursive, consumer);
    }

    @Override
    public void delete(String name) {
        delegate.delete(name);
    }

    @Override
    public ObjectAttributes attributes(String name) {
        return delegate.attributes(name);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
