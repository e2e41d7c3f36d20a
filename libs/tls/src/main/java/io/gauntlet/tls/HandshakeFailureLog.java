package io.gauntlet.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Logs failed TLS handshakes of a server, one line naming the peer and the reason, at most one line per reason per
 * window (the next line says how many were left out): a scanner or a misconfigured client cannot flood the log. The
 * bytes a peer sent are never quoted (plain text could carry its credentials).
 */
public final class HandshakeFailureLog {
    private static final System.Logger LOG = System.getLogger(HandshakeFailureLog.class.getName());

    /** Why a handshake failed, as an operator acts on it. */
    public enum Reason {
        PLAIN_TEXT("plain text (the client does not use TLS)"),
        NO_CLIENT_CERTIFICATE("no client certificate"),
        EXPIRED_CERTIFICATE("certificate expired"),
        CERTIFICATE_NOT_YET_VALID("certificate not yet valid"),
        UNTRUSTED_CERTIFICATE("certificate not signed by a trusted CA"),
        BAD_CERTIFICATE("certificate refused"),
        PROTOCOL_VERSION("no TLS version in common"),
        OTHER("handshake failed");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }

        /** The label value of a failure counter. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private record Window(Instant start, int suppressed) {
    }

    private final String server;
    private final Duration window;
    private final Clock clock;
    private final Map<Reason, Window> windows = new ConcurrentHashMap<>();

    /** @param server names the listener in the lines, e.g. {@code gRPC 0.0.0.0:10901} */
    public HandshakeFailureLog(String server, Duration window, Clock clock) {
        this.server = server;
        this.window = window;
        this.clock = clock;
    }

    public HandshakeFailureLog(String server) {
        this(server, Duration.ofMinutes(1), Clock.systemUTC());
    }

    /** Logs (or counts, within the window) one failed handshake; returns its reason. */
    public Reason failed(String peer, Throwable cause) {
        Reason reason = reason(cause);
        Instant now = clock.instant();
        int[] left = {-1};
        windows.compute(reason, (r, open) -> {
            if (open == null || !now.isBefore(open.start().plus(window))) {
                left[0] = open == null ? 0 : open.suppressed();
                return new Window(now, 0);
            }
            return new Window(open.start(), open.suppressed() + 1);
        });
        if (left[0] >= 0) {
            LOG.log(System.Logger.Level.WARNING, "TLS handshake from {0} refused by {1}: {2}{3}{4}", peer, server, reason.text(),
                    detail(reason, cause), left[0] > 0 ? " (" + left[0] + " more refused for this reason in the last " + window.toSeconds() + " s)" : "");
        }
        return reason;
    }

    /** The reason of a handshake failure, from the exception and its causes. */
    public static Reason reason(Throwable failure) {
        Reason found = Reason.OTHER;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (t.getClass().getSimpleName().equals("NotSslRecordException") || message.contains("Unsupported or unrecognized SSL message")) {
                return Reason.PLAIN_TEXT;
            }
            if (t instanceof CertificateExpiredException) {
                return Reason.EXPIRED_CERTIFICATE;
            }
            if (t instanceof CertificateNotYetValidException) {
                return Reason.CERTIFICATE_NOT_YET_VALID;
            }
            if (message.contains("Empty client certificate chain") || message.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE")
                    || message.contains("CERTIFICATE_REQUIRED")) {
                return Reason.NO_CLIENT_CERTIFICATE;
            }
            if (message.contains("No appropriate protocol") || message.contains("protocol_version") || message.contains("UNSUPPORTED_PROTOCOL")
                    || message.contains("WRONG_VERSION_NUMBER")) {
                return Reason.PROTOCOL_VERSION;
            }
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
                    || message.contains("unable to find valid certification path")) {
                found = Reason.UNTRUSTED_CERTIFICATE; // a cause further down may still say expired
            } else if (found == Reason.OTHER && t instanceof java.security.cert.CertificateException) {
                found = Reason.BAD_CERTIFICATE;
            }
        }
        return found;
    }

    /** Which certificate, when a trust manager of ours named it; nothing the peer sent otherwise. */
    private static String detail(Reason reason, Throwable failure) {
        if (reason == Reason.PLAIN_TEXT) {
            return "";
        }
        String tlsMessage = "";
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (t instanceof java.security.cert.CertificateException && message != null && message.contains(" certificate subject=")) {
                return " — " + message.substring(0, message.indexOf(" refused")).trim();
            }
            if (t instanceof javax.net.ssl.SSLException && message != null) {
                tlsMessage = message;
            }
        }
        // the TLS stack's own words help with the rest (no cipher in common...); they never quote what the peer sent
        return reason == Reason.OTHER && !tlsMessage.isEmpty()
                ? " (" + (tlsMessage.length() > 200 ? tlsMessage.substring(0, 200) + "…" : tlsMessage) + ")" : "";
    }
}
