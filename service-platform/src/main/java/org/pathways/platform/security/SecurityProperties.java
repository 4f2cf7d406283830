package org.pathways.platform.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How tokens are checked. With {@code jwtSecret} set (the services' tests), tokens are HS256-signed with that
 * shared secret and must come from {@code jwtIssuer}; without it, Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (and optionally {@code jwk-set-uri}) names the OpenID
 * Connect issuer whose RS256 tokens are accepted: the identity-service in the devstack, any provider in production.
 *
 * @param jwtSecret base64url-encoded HMAC secret of at least 32 bytes, or empty
 * @param jwtIssuer the issuer ({@code iss}) every token must carry
 * @param audience in the issuer mode: the audience ({@code aud}) every token must name, so that a token the issuer
 *                 minted for another resource is refused; empty: no audience check. Not applied to shared-secret
 *                 tokens, which only the services' own tests use. Unset: {@value #PLATFORM_AUDIENCE}.
 */
@ConfigurationProperties("pathways.security")
public record SecurityProperties(String jwtSecret, String jwtIssuer,
                                 @DefaultValue(SecurityProperties.PLATFORM_AUDIENCE) String audience) {

    /** The audience the platform's own issuer names in the access tokens of the platform's clients. */
    public static final String PLATFORM_AUDIENCE = "pathways-api";
}
