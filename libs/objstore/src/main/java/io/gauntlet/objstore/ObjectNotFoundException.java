package io.gauntlet.objstore;

/** The named object does not exist: an expected outcome that callers handle apart from real failures. */
public final class ObjectNotFoundException extends BucketException {
    private final String objectName;

    public ObjectNotFoundException(String bucket, String objectName) {
        super("object " + objectName + " not found in bucket " + bucket);
        this.objectName = objectName;
    }

    public String objectName() {
        return objectName;
    }
}
