package org.pathways.identity.claims;

import java.util.List;

import org.pathways.identity.directory.IdentityProperties;
import org.pathways.identity.directory.PartnershipDirectory;
import org.pathways.identity.directory.PartnershipDirectory.Standing;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.stereotype.Component;

/**
 * Puts into every access token (and ID token) the claims the services read through {@link Caller}: {@code agency}
 * and {@code roles}; an access token also names the platform's audience ({@code pathways-api} unless configured
 * otherwise) beside the client id, since the services refuse a token of this issuer minted for anything else. A
 * person gets their own agency and roles whichever client they signed in through; an agency's
 * system gets its agency and AGENCY_SYSTEM. A principal the directory does not know gets no token at all, rather
 * than a token that names no agency.
 */
@Component
class PlatformClaims implements OAuth2TokenCustomizer<JwtEncodingContext> {

    private final PartnershipDirectory directory;
    private final String audience;

    PlatformClaims(PartnershipDirectory directory, IdentityProperties properties) {
        this.directory = directory;
        this.audience = properties.audience();
    }

    @Override
    public void customize(JwtEncodingContext context) {
        boolean accessToken = OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType());
        boolean idToken = "id_token".equals(context.getTokenType().getValue());
        if (!accessToken && !idToken) {
            return;
        }
        boolean clientCredentials =
                AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType());
        String principal = clientCredentials ? context.getRegisteredClient().getClientId()
                : context.getPrincipal().getName();
        Standing standing = directory.standingOf(principal, clientCredentials).orElseThrow(() ->
                new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.UNAUTHORIZED_CLIENT,
                        "This principal acts for no agency", null)));
        List<String> roles = standing.roles().stream().map(Role::name).sorted().toList();
        context.getClaims().claim(Caller.AGENCY_CLAIM, standing.agency()).claim(Caller.ROLES_CLAIM, roles);
        if (accessToken && audience != null && !audience.isBlank()) {
            // The ID token's audience stays the client alone, as OpenID Connect requires.
            context.getClaims().audience(List.of(context.getRegisteredClient().getClientId(), audience));
        }
    }
}
