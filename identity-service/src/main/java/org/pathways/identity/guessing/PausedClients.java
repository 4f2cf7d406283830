package org.pathways.identity.guessing;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.pathways.platform.problem.ProblemResponses;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.authorization.web.authentication.ClientSecretBasicAuthenticationConverter;
import org.springframework.security.oauth2.server.authorization.web.authentication.ClientSecretPostAuthenticationConverter;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.security.web.authentication.DelegatingAuthenticationConverter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers {@code 429} with {@code Retry-After} and problem details, before the secret is checked, to a request
 * authenticating with the secret of a client id that has failed too often from the request's address (token, introspection and revocation
 * endpoints alike). The client id is read with Spring Authorization Server's own converters for
 * {@code client_secret_basic} and {@code client_secret_post}, so it is the id the secret check would see.
 */
final class PausedClients extends OncePerRequestFilter {

    private final AuthenticationConverter secrets = new DelegatingAuthenticationConverter(List.of(
            new ClientSecretBasicAuthenticationConverter(), new ClientSecretPostAuthenticationConverter()));
    private final FailedAttempts clients;

    PausedClients(FailedAttempts clients) {
        this.clients = clients;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<Duration> refusal = clientId(request)
                .flatMap(clientId -> clients.refusal(ThrottledClientSecrets.key(clientId, request.getRemoteAddr())));
        if (refusal.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = Math.max(1, refusal.get().toSeconds() + (refusal.get().toNanosPart() > 0 ? 1 : 0));
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited",
                "Too many failed authentications for this client; its secret is not checked again for "
                        + seconds + " s.");
    }

    private Optional<String> clientId(HttpServletRequest request) {
        try {
            Authentication attempt = secrets.convert(request);
            return Optional.ofNullable(attempt).map(Authentication::getName);
        } catch (OAuth2AuthenticationException malformed) {
            return Optional.empty(); // the client authentication filter answers it
        }
    }
}
