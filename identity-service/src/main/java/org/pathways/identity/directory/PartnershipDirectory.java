package org.pathways.identity.directory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.pathways.identity.directory.IdentityProperties.Client;
import org.pathways.identity.directory.IdentityProperties.User;
import org.pathways.platform.security.Role;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

/**
 * Who may get a token, as configured: the people (by username) and the applications (by client id), with the
 * agency each acts for and the roles it holds. The sign-in machinery and the token customizer both ask this one
 * place, so that a person's token says exactly what the configuration says about them.
 */
public final class PartnershipDirectory implements UserDetailsService, RegisteredClientRepository {

    /** A principal's standing in the partnership: what its tokens claim. */
    public record Standing(String agency, Set<Role> roles) {
    }

    private final Map<String, UserDetails> accounts = new LinkedHashMap<>();
    private final Map<String, Standing> people = new LinkedHashMap<>();
    private final Map<String, Standing> systems = new LinkedHashMap<>();
    private final Map<String, RegisteredClient> clientsById = new LinkedHashMap<>();
    private final Map<String, RegisteredClient> clientsByRegistrationId = new LinkedHashMap<>();

    public PartnershipDirectory(IdentityProperties properties, PasswordEncoder encoder) {
        for (User user : properties.users()) {
            if (accounts.containsKey(user.username())) {
                throw new IllegalArgumentException("User " + user.username() + " is configured twice");
            }
            accounts.put(user.username(), org.springframework.security.core.userdetails.User
                    .withUsername(user.username())
                    .password(encoded(user.password(), encoder))
                    .authorities(user.roles().stream().map(Role::authority).toArray(String[]::new))
                    .build());
            people.put(user.username(), new Standing(user.agency(), Set.copyOf(user.roles())));
        }
        TokenSettings tokens = TokenSettings.builder().accessTokenTimeToLive(properties.accessTokenTtl()).build();
        for (Client client : properties.clients()) {
            if (clientsById.containsKey(client.clientId())) {
                throw new IllegalArgumentException("Client " + client.clientId() + " is configured twice");
            }
            RegisteredClient registered = client.isAgencySystem()
                    ? agencySystem(client, tokens, encoder)
                    : publicClient(client, tokens);
            clientsById.put(registered.getClientId(), registered);
            clientsByRegistrationId.put(registered.getId(), registered);
            if (client.isAgencySystem()) {
                systems.put(client.clientId(), new Standing(client.agency(), Set.of(Role.AGENCY_SYSTEM)));
            }
        }
    }

    /** An agency's own system: a confidential client that signs in with its secret and acts for its agency. */
    private static RegisteredClient agencySystem(Client client, TokenSettings tokens, PasswordEncoder encoder) {
        if (client.secret() == null || client.secret().isBlank()) {
            throw new IllegalArgumentException("Agency system " + client.clientId() + " needs a secret");
        }
        return RegisteredClient.withId(registrationId(client))
                .clientId(client.clientId())
                .clientSecret(encoded(client.secret(), encoder))
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                .scopes(scopes -> scopes.addAll(client.scopes()))
                .tokenSettings(tokens)
                .build();
    }

    /**
     * A public client such as the web app: no secret, so it must prove with PKCE that it started the sign-in it
     * redeems. The partnership's own app needs no consent screen.
     */
    private static RegisteredClient publicClient(Client client, TokenSettings tokens) {
        if (client.secret() != null && !client.secret().isBlank()) {
            throw new IllegalArgumentException("Client " + client.clientId()
                    + " has a secret but no agency: a confidential client must be an agency system");
        }
        if (client.redirectUris().isEmpty()) {
            throw new IllegalArgumentException("Public client " + client.clientId() + " needs a redirect URI");
        }
        return RegisteredClient.withId(registrationId(client))
                .clientId(client.clientId())
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUris(uris -> uris.addAll(client.redirectUris()))
                .postLogoutRedirectUris(uris -> uris.addAll(client.postLogoutRedirectUris()))
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.PROFILE)
                .scopes(scopes -> scopes.addAll(client.scopes()))
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false)
                        .build())
                .tokenSettings(tokens)
                .build();
    }

    /** The same id for the same client on every start. */
    private static String registrationId(Client client) {
        return UUID.nameUUIDFromBytes(client.clientId().getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String encoded(String secret, PasswordEncoder encoder) {
        // "{bcrypt}$2a$..." is already encoded; anything else is a plain demo value, hashed here.
        return secret.startsWith("{") && secret.indexOf('}') > 1 ? secret : encoder.encode(secret);
    }

    /** The standing of the person or agency system a token is being issued to. */
    public Optional<Standing> standingOf(String principalName, boolean clientCredentials) {
        return Optional.ofNullable(clientCredentials ? systems.get(principalName) : people.get(principalName));
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        UserDetails account = accounts.get(username);
        if (account == null) {
            throw new UsernameNotFoundException("No such user");
        }
        // A copy: Spring Security erases the credentials of what it authenticated.
        return org.springframework.security.core.userdetails.User.withUserDetails(account).build();
    }

    @Override
    public void save(RegisteredClient registeredClient) {
        throw new UnsupportedOperationException("Clients come from configuration");
    }

    @Override
    public RegisteredClient findById(String id) {
        return clientsByRegistrationId.get(id);
    }

    @Override
    public RegisteredClient findByClientId(String clientId) {
        return clientsById.get(clientId);
    }
}
