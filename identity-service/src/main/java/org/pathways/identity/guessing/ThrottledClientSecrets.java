package org.pathways.identity.guessing;

import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The client-secret check (Spring Authorization Server's {@code ClientSecretAuthenticationProvider}, for
 * {@code client_secret_basic} and {@code client_secret_post}), counting each {@code invalid_client} per client id
 * and the address it came from ({@link #key}), and clearing the count on success. Not per client id alone: anyone
 * who knows an agency system's client id could then pause its token requests from its own address at will. A client id past its limit is answered 429 before this by
 * {@link PausedClients}; should one still arrive here, it is refused without checking its secret.
 */
final class ThrottledClientSecrets implements AuthenticationProvider {

    private static final Logger log = LoggerFactory.getLogger(ThrottledClientSecrets.class);

    private final AuthenticationProvider secrets;
    private final FailedAttempts clients;
    private final Predicate<String> registered;

    ThrottledClientSecrets(AuthenticationProvider secrets, FailedAttempts clients, Predicate<String> registered) {
        this.secrets = secrets;
        this.clients = clients;
        this.registered = registered;
    }

    @Override
    public Authentication authenticate(Authentication attempt) throws AuthenticationException {
        String clientId = attempt.getName();
        String key = key(clientId, currentAddress());
        if (clients.refusal(key).isPresent()) {
            throw new OAuth2AuthenticationException(OAuth2ErrorCodes.INVALID_CLIENT);
        }
        Authentication authenticated;
        try {
            authenticated = secrets.authenticate(attempt);
        } catch (OAuth2AuthenticationException refused) {
            if (OAuth2ErrorCodes.INVALID_CLIENT.equals(refused.getError().getErrorCode())
                    && clients.failed(key)) {
                // a client id is no personal data, but an unknown one is whatever a caller typed: not logged
                log.warn("Client authentication for {} paused for {} after {} failed secrets",
                        registered.test(clientId) ? clientId : "an unregistered client id",
                        clients.limit().window(), clients.limit().failures());
            }
            throw refused;
        }
        if (authenticated != null) {
            clients.succeeded(key);
        }
        return authenticated;
    }

    /** What failures are counted under: the client id and the address its attempts come from. */
    static String key(String clientId, String address) {
        return clientId + " from " + address;
    }

    private static String currentAddress() {
        return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request
                ? request.getRequest().getRemoteAddr() : "";
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return secrets.supports(authentication);
    }
}
