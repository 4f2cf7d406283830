package org.pathways.identity.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.identity.directory.IdentityProperties.Client;
import org.pathways.identity.directory.IdentityProperties.User;
import org.pathways.platform.security.Role;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

/** What the configuration may say, and what it must not: a misconfigured directory refuses to start. */
class PartnershipDirectoryTest {

    private static final PasswordEncoder ENCODER = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private static final User WORKER = new User("w", "pw", "agency-a", Set.of(Role.WORKER));
    private static final Client SYSTEM = new Client("agency-a-system", "s3cret", "agency-a", List.of(), Set.of("api"), List.of());
    private static final Client WEB = new Client("web", null, null, List.of("http://localhost/cb"), Set.of("api"),
            List.of("http://localhost/"));

    private static PartnershipDirectory directory(List<User> users, List<Client> clients) {
        return new PartnershipDirectory(new IdentityProperties(null, null, Duration.ofMinutes(5), users, clients,
                null),
                ENCODER);
    }

    @Test
    void storesPasswordsAndSecretsHashedWithBcrypt() {
        PartnershipDirectory directory = directory(List.of(WORKER), List.of(SYSTEM));

        String password = directory.loadUserByUsername("w").getPassword();
        assertThat(password).startsWith("{bcrypt}");
        assertThat(ENCODER.matches("pw", password)).isTrue();
        assertThat(directory.findByClientId("agency-a-system").getClientSecret()).startsWith("{bcrypt}");
    }

    @Test
    void keepsAnAlreadyEncodedPasswordAsItIs() {
        String hash = ENCODER.encode("pw");

        PartnershipDirectory directory = directory(List.of(new User("w", hash, "agency-a", Set.of(Role.WORKER))),
                List.of());

        assertThat(directory.loadUserByUsername("w").getPassword()).isEqualTo(hash);
    }

    @Test
    void anAgencySystemUsesClientCredentialsAndActsForItsAgencyOnly() {
        PartnershipDirectory directory = directory(List.of(WORKER), List.of(SYSTEM, WEB));

        assertThat(directory.findByClientId("agency-a-system").getAuthorizationGrantTypes())
                .containsExactly(AuthorizationGrantType.CLIENT_CREDENTIALS);
        assertThat(directory.standingOf("agency-a-system", true)).hasValueSatisfying(standing -> {
            assertThat(standing.agency()).isEqualTo("agency-a");
            assertThat(standing.roles()).containsExactly(Role.AGENCY_SYSTEM);
        });
        // A client id is not a person, and a person is not a client.
        assertThat(directory.standingOf("agency-a-system", false)).isEmpty();
        assertThat(directory.standingOf("w", true)).isEmpty();
    }

    @Test
    void thePublicClientHasNoSecretAndMustUsePkce() {
        var web = directory(List.of(), List.of(WEB)).findByClientId("web");

        assertThat(web.getClientAuthenticationMethods()).containsExactly(ClientAuthenticationMethod.NONE);
        assertThat(web.getAuthorizationGrantTypes()).containsExactly(AuthorizationGrantType.AUTHORIZATION_CODE);
        assertThat(web.getClientSettings().isRequireProofKey()).isTrue();
        // RP-initiated logout may send the browser back only to the configured address
        assertThat(web.getPostLogoutRedirectUris()).containsExactly("http://localhost/");
    }

    @Test
    void refusesAConfigurationThatWouldIssueUnscopedOrUnprotectedTokens() {
        assertThatThrownBy(() -> directory(List.of(), List.of(new Client("x-system", null, "agency-a", List.of(),
                Set.of(), List.of())))).hasMessageContaining("needs a secret");
        assertThatThrownBy(() -> directory(List.of(), List.of(new Client("x", "s", null, List.of("http://cb"),
                Set.of(), List.of())))).hasMessageContaining("must be an agency system");
        assertThatThrownBy(() -> directory(List.of(), List.of(new Client("x", null, null, List.of(), Set.of(), List.of()))))
                .hasMessageContaining("redirect URI");
        assertThatThrownBy(() -> directory(List.of(WORKER, WORKER), List.of())).hasMessageContaining("twice");
    }
}
