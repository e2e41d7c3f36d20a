package io.gauntlet.service;

import io.gauntlet.tls.ServerTlsSettings;
import io.gauntlet.tls.TlsConfigException;
import io.gauntlet.tls.WebConfig;
import io.gauntlet.tls.WebConfigFile;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import org.jboss.logging.Logger;

/**
 * Prometheus' web config file on the service's HTTP port ({@code gauntlet.http.config-file}): TLS on the same port
 * (the certificate and client CAs follow their files), and basic auth in front of every route — the APIs, the UI,
 * {@code /metrics}, and the probes unless {@code gauntlet.http.unauthenticated-probes} — answering 401 with
 * {@code WWW-Authenticate: Basic} as Prometheus does. A file that cannot be used stops the start with one line.
 */
@Singleton
public class HttpSecurity implements HttpServerOptionsCustomizer {
    private static final Logger LOG = Logger.getLogger(HttpSecurity.class);
    // after Quarkus' own filters (CORS, headers), before any route
    private static final int FILTER_PRIORITY = 20_000;

    @Inject
    HttpConfig config;

    private WebConfigFile web;
    private boolean loaded;

    /** The web config file, read once (null when none is configured); a bad one throws with one logged line. */
    synchronized WebConfigFile web() {
        if (!loaded) {
            loaded = true;
            if (config.configFile().isPresent() && !config.configFile().get().isBlank()) {
                try {
                    web = new WebConfigFile(Path.of(config.configFile().get().trim()), ServerTlsSettings.DEFAULT_RELOAD_CHECK_INTERVAL);
                } catch (TlsConfigException e) {
                    LOG.error("invalid gauntlet.http.config-file: " + e.getMessage());
                    throw e;
                }
                LOG.info(web.describe());
            }
        }
        return web;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        WebConfigFile current = web();
        if (current == null || current.tls().isEmpty()) {
            return;
        }
        WebConfig.TlsServer tls = current.tls().get();
        // the port itself speaks TLS, as Prometheus' does: no second (HTTPS) port
        options.setSsl(true)
                .setKeyCertOptions(KeyCertOptions.wrap(current.keyManager()))
                .setEnabledSecureTransportProtocols(new LinkedHashSet<>(tls.protocols()))
                .setUseAlpn(current.http2());
        if (tls.clientAuth().requested()) {
            options.setClientAuth(tls.clientAuth().required() ? ClientAuth.REQUIRED : ClientAuth.REQUEST)
                    .setTrustOptions(TrustOptions.wrap(current.clientTrustManager()));
        }
        for (String cipher : tls.cipherSuites()) {
            options.addEnabledCipherSuite(cipher);
        }
    }

    void registerFilter(@Observes Filters filters, HttpConfig httpConfig) {
        WebConfigFile current = web();
        if (current == null) {
            return;
        }
        boolean probesOpen = httpConfig.unauthenticatedProbes();
        filters.register(context -> filter(current, probesOpen, context), FILTER_PRIORITY);
    }

    private static void filter(WebConfigFile web, boolean probesOpen, RoutingContext context) {
        web.headers().forEach((name, value) -> context.response().putHeader(name, value));
        String path = context.normalizedPath();
        if (!web.authenticationRequired() || probesOpen && (path.equals("/-/healthy") || path.equals("/-/ready"))) {
            context.next();
            return;
        }
        WebConfigFile.Credentials credentials = WebConfigFile.basicCredentials(context.request().getHeader("Authorization"));
        if (credentials == null) {
            unauthorized(context);
            return;
        }
        if (web.remembered(credentials)) {
            context.next();
            return;
        }
        // a bcrypt takes tens of milliseconds: not on the event loop; the body waits meanwhile
        HttpServerRequest request = context.request();
        request.pause();
        context.vertx().<Boolean>executeBlocking(() -> web.authenticate(credentials), false).onComplete(result -> {
            request.resume();
            if (result.succeeded() && result.result()) {
                context.next();
            } else {
                unauthorized(context);
            }
        });
    }

    /** Prometheus' answer: 401, {@code WWW-Authenticate: Basic}, Go's http.Error body. */
    private static void unauthorized(RoutingContext context) {
        context.response().setStatusCode(401)
                .putHeader("WWW-Authenticate", "Basic")
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .end("Unauthorized\n");
    }
}
