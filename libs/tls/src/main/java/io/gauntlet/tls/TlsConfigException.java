package io.gauntlet.tls;

/** A TLS or web config setting that cannot be used; the message names the setting or file and never quotes key material. */
public final class TlsConfigException extends IllegalArgumentException {
    public TlsConfigException(String message) {
        super(message);
    }

    public TlsConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
