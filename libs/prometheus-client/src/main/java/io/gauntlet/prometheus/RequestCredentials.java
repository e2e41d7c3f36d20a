package io.gauntlet.prometheus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Base64;

/**
 * The {@code Authorization} header of every request: basic auth (password inline or from {@code password_file}) or a
 * bearer token (inline or from {@code bearer_token_file}), as Prometheus' client sends them. A file is read again when it
 * changed (a rotated Secret); its content is trimmed of surrounding whitespace as Prometheus does.
 */
final class RequestCredentials {
    private final HttpClientConfig config;
    private FileTime seen;
    private String header;

    RequestCredentials(HttpClientConfig config) {
        this.config = config;
    }

    /** The header value, or null when the config holds no credentials. */
    synchronized String authorization() throws IOException {
        HttpClientConfig.BasicAuth basic = config.basicAuth();
        Path file = basic != null ? basic.passwordFile() : config.bearerTokenFile();
        if (file == null) {
            if (header == null) {
                header = basic != null ? basic(basic.username(), basic.password())
                        : config.bearerToken().isEmpty() ? null : "Bearer " + config.bearerToken();
            }
            return header;
        }
        FileTime modified;
        try {
            modified = Files.getLastModifiedTime(file);
            if (header == null || !modified.equals(seen)) {
                String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
                header = basic != null ? basic(basic.username(), secret) : "Bearer " + secret;
                seen = modified;
            }
        } catch (IOException e) {
            throw new IOException("cannot read " + (basic != null ? "basic_auth.password_file " : "bearer_token_file ") + file + ": "
                    + e.getClass().getSimpleName(), e);
        }
        return header;
    }

    private static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
