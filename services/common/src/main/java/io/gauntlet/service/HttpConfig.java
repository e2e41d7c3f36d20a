package io.gauntlet.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Security of the service's HTTP port (Prometheus' {@code --web.config.file}, Thanos' {@code --http.config}). */
@ConfigMapping(prefix = "gauntlet.http")
public interface HttpConfig {
    /** Prometheus' web config file: {@code tls_server_config}, {@code http_server_config}, {@code basic_auth_users}. */
    Optional<String> configFile();

    /** Whether {@code /-/healthy} and {@code /-/ready} answer without basic auth (kubelet probes send none). */
    @WithDefault("false")
    boolean unauthenticatedProbes();
}
