package org.pathways.identity.directory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.pathways.platform.security.Role;
import org.pathways.platform.security.SecurityProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The issuer's directory and keys, from configuration ({@code pathways.identity.*} in identity-service.yml).
 *
 * @param issuer the issuer URL every token names and discovery announces; empty: taken from each request (tests)
 * @param signingKeyFile where the RS256 key pair is kept as a JWK, so that tokens stay valid across restarts;
 *                       null: a fresh key in memory on every start
 * @param accessTokenTtl how long an access token is valid
 * @param users people who sign in with a password (authorization code + PKCE)
 * @param clients applications: an agency's system (client credentials) or a public client such as the web app
 * @param audience the audience ({@code aud}) every access token names besides the client id: the platform's API,
 *                 which every service requires ({@code pathways.security.audience}); empty: the client id only
 */
@Validated
@ConfigurationProperties("pathways.identity")
public record IdentityProperties(String issuer, Path signingKeyFile, @DefaultValue("30m") Duration accessTokenTtl,
                                 @DefaultValue List<@Valid User> users, @DefaultValue List<@Valid Client> clients,
                                 @DefaultValue(SecurityProperties.PLATFORM_AUDIENCE) String audience) {

    /**
     * @param password either plain text (encoded at start with the delegating encoder) or already encoded with an
     *                 id prefix such as {@code {bcrypt}}
     * @param agency the agency the person acts for ({@code partnership} for coordinators and platform admins)
     */
    public record User(@NotBlank String username, @NotBlank String password, @NotBlank String agency,
                       @NotEmpty Set<Role> roles) {
    }

    /**
     * @param agency for an agency system: the agency it acts for (its tokens carry role AGENCY_SYSTEM); null for a
     *               public client, whose tokens carry the signed-in user's agency and roles
     * @param secret the client secret of a confidential client (plain or {@code {bcrypt}...}); null for a public one
     * @param redirectUris where a public client may receive its authorization code
     * @param postLogoutRedirectUris where the issuer may send the browser back after signing a person out at the
     *                               client's request (OpenID Connect RP-initiated logout)
     */
    public record Client(@NotBlank String clientId, String secret, String agency,
                         @DefaultValue List<String> redirectUris, @NotNull @DefaultValue({"api"}) Set<String> scopes,
                         @DefaultValue List<String> postLogoutRedirectUris) {

        public boolean isAgencySystem() {
            return agency != null && !agency.isBlank();
        }
    }
}
