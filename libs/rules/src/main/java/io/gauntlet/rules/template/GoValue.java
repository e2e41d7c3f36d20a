package io.gauntlet.rules.template;

/** A value of a Go type that templates print and inspect: its {@code %v} text, its Go type name, its fields. */
public interface GoValue {
    String goString();

    String goType();

    /** The value of field (or niladic method) {@code name}; throws {@link IllegalArgumentException} when there is none. */
    default Object field(String name) {
        throw new IllegalArgumentException("can't evaluate field " + name + " in type " + goType());
    }
}
