package io.gauntlet.events;

import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/** One line saying why Kafka turned a client away: refused credentials and failed TLS handshakes named as such. */
public final class KafkaErrorMessages {
    private KafkaErrorMessages() {
    }

    /** The reason for a log line or readiness text; Kafka's own messages carry no secret (user names at most). */
    public static String describe(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof SaslAuthenticationException) {
                return "Kafka refused the SASL credentials (check gauntlet.kafka.sasl.jaas.config and sasl.mechanism): " + cause.getMessage();
            }
            if (cause instanceof SslAuthenticationException) {
                return "TLS handshake with Kafka failed (check gauntlet.kafka.ssl.*): " + innermostMessage(cause);
            }
            if (cause instanceof AuthenticationException) {
                return "Kafka authentication failed: " + cause.getMessage();
            }
            if (cause instanceof AuthorizationException) {
                return "Kafka denied access (ACLs of this client's user): " + cause.getMessage();
            }
        }
        return String.valueOf(error);
    }

    private static String innermostMessage(Throwable error) {
        Throwable innermost = error;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        return innermost == error ? String.valueOf(error.getMessage()) : error.getMessage() + ": " + innermost.getMessage();
    }
}
