package org.pathways.platform.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How tokens are checked. With {@code jwtSecret} set (the services' tests), tokens are HS256-signed with that
 * shared secret and must come from {@code jwtIssuer}; without it, Boot's
 * {@code spring.security.oauth2.resourceserver.jwt.issuer-uri} (and optionally {@code jwk-set-uri}) names the OpenID
 * Connect issuer whose RS256 tokens are accepted: the identity-service in the devstack, any provider in production.
 *
 * @param jwtSecret base64url-encoded HMAC secret of at least 32 bytes, or empty
 * @param jwtIssuer the issuer ({@code iss}) every token must carry
 */
@ConfigurationProperties("pathways.security")
public record SecurityProperties(String jwtSecret, String jwtIssuer) {
}
