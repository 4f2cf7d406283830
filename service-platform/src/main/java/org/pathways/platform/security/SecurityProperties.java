package org.pathways.platform.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How tokens are checked. With {@code jwtSecret} set (the devstack and tests), tokens are HS256-signed with that
 * shared secret and must come from {@code jwtIssuer}; without it, the standard
 * {@code spring.security.oauth2.resourceserver.jwt.*} settings point at a real OpenID Connect provider.
 *
 * @param jwtSecret base64url-encoded HMAC secret of at least 32 bytes, or empty
 * @param jwtIssuer the issuer ({@code iss}) every token must carry
 */
@ConfigurationProperties("pathways.security")
public record SecurityProperties(String jwtSecret, String jwtIssuer) {
}
