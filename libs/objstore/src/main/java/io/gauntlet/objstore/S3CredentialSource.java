package io.gauntlet.objstore;

/**
 * Where an S3 bucket's credentials come from, safe to log and to put in a metric label: never a key or token.
 *
 * @param provider {@link #STATIC_CONFIG}, {@link #STATIC_ENVIRONMENT}, {@link #WEB_IDENTITY}, {@link #CONTAINER} or
 *                 {@link #DEFAULT_CHAIN}
 * @param roleArn  the role assumed (IRSA), else empty
 * @param detail   which file, variable or endpoint, for the start-up log line
 */
public record S3CredentialSource(String provider, String roleArn, String detail) {
    public static final String STATIC_CONFIG = "static-config";
    public static final String STATIC_ENVIRONMENT = "static-environment";
    /** IRSA: a projected service account token exchanged at STS (AssumeRoleWithWebIdentity). */
    public static final String WEB_IDENTITY = "irsa-web-identity";
    /** EKS Pod Identity (or ECS task roles): the container credentials endpoint. */
    public static final String CONTAINER = "container-credentials";
    public static final String DEFAULT_CHAIN = "default-chain";

    static S3CredentialSource of(String provider, String roleArn, String detail) {
        return new S3CredentialSource(provider, roleArn, detail);
    }

    /** Temporary credentials fetched from a service (refreshed before expiry), as opposed to a static key. */
    public boolean temporary() {
        return provider.equals(WEB_IDENTITY) || provider.equals(CONTAINER);
    }

    /** Whether a long-lived access key is in play. */
    public boolean staticKey() {
        return provider.equals(STATIC_CONFIG) || provider.equals(STATIC_ENVIRONMENT);
    }
}
