package org.pathways.web.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import org.pathways.web.config.WebProperties;

/**
 * Relays the progression-service's server-sent events ({@code /api/progression/live}, through the gateway) to the
 * browser, piece by piece as they arrive, with the signed-in person's access token: the browser never holds the token,
 * and hears only of changes the API would tell that person about. The token is taken on the request thread (the
 * session is there); the relay then runs on the async thread until either side closes. The API ends each stream
 * after its lifetime; the browser's EventSource then reconnects here.
 *
 * <p>An access token that has expired (the issuer gives the web app no refresh token) is never sent: it is forgotten,
 * as {@code PathwaysApi} forgets one the API refuses, and the browser is answered 401 without a stream, so the next
 * page signs the person in again. So is a token the API refuses. Before, the relay kept sending the expired token on
 * every reconnection for the rest of the 8-hour session, and each refusal counted against the web app's own address
 * at the gateway's limit for failed authentications.
 */
@Component
class LiveRelay {

    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);

    private final OAuth2AuthorizedClientManager authorizedClients;
    private final OAuth2AuthorizedClientRepository authorizedClientRepository;
    private final WebProperties properties;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LiveRelay(OAuth2AuthorizedClientManager authorizedClients,
              OAuth2AuthorizedClientRepository authorizedClientRepository, WebProperties properties) {
        this.authorizedClients = authorizedClients;
        this.authorizedClientRepository = authorizedClientRepository;
        this.properties = properties;
    }

    /** The relay, or nothing when the person has no token the API would take (then they must sign in again). */
    Optional<ResponseBodyEmitter> relay() {
        ServletRequestAttributes request = (ServletRequestAttributes) RequestContextHolder.currentRequestAttributes();
        Authentication person = SecurityContextHolder.getContext().getAuthentication();
        OAuth2AuthorizedClient client;
        try {
            client = authorizedClients.authorize(OAuth2AuthorizeRequest
                    .withClientRegistrationId(properties.registrationId())
                    .principal(person)
                    .attribute(HttpServletRequest.class.getName(), request.getRequest())
                    .attribute(HttpServletResponse.class.getName(), request.getResponse())
                    .build());
        } catch (ClientAuthorizationRequiredException forgotten) {
            // The token was forgotten: an EventSource cannot follow the issuer's sign-in (another site), so it is
            // not sent there (a round started and never finished); the page's next load or refresh signs in again.
            return Optional.empty();
        }
        if (client == null) {
            return Optional.empty();
        }
        Runnable forget = () -> authorizedClientRepository.removeAuthorizedClient(properties.registrationId(), person,
                request.getRequest(), request.getResponse());
        Instant expiresAt = client.getAccessToken().getExpiresAt();
        if (expiresAt != null && !expiresAt.isAfter(Instant.now())) {
            forget.run();
            return Optional.empty();
        }
        String token = client.getAccessToken().getTokenValue();
        URI live = properties.apiUrl().resolve("/api/progression/live");
        // Not a StreamingResponseBody: Spring hands that a stream that ignores flush(), so nothing would reach the
        // browser until the end; an emitter flushes every piece it sends.
        ResponseBodyEmitter emitter = new ResponseBodyEmitter();
        Thread.ofVirtual().name("live-relay").start(() -> copy(live, token, emitter, forget));
        return Optional.of(emitter);
    }

    private void copy(URI live, String token, ResponseBodyEmitter emitter, Runnable forgetToken) {
        HttpRequest upstream = HttpRequest.newBuilder(live)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET().build();
        try {
            HttpResponse<InputStream> answer = http.send(upstream, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = answer.body()) {
                // the browser went away (or the request timed out): stop reading the API's stream too
                Runnable close = () -> closeQuietly(in);
                emitter.onCompletion(close);
                emitter.onError(error -> close.run());
                emitter.onTimeout(close);
                if (answer.statusCode() != 200) {
                    log.debug("The live updates answered {}", answer.statusCode());
                    if (answer.statusCode() == 401) {
                        forgetToken.run();      // refused: never sent again; the next page signs the person in
                    }
                    // an SSE comment, then the end: EventSource tries again after the retry delay
                    emitter.send(("retry: 30000\n: unavailable " + answer.statusCode() + "\n\n")
                            .getBytes(StandardCharsets.UTF_8), MediaType.TEXT_EVENT_STREAM);
                    emitter.complete();
                    return;
                }
                byte[] buffer = new byte[8192];
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    emitter.send(Arrays.copyOf(buffer, read), MediaType.TEXT_EVENT_STREAM);
                }
            }
            emitter.complete();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        } catch (IOException | IllegalStateException e) {
            // the browser went away, or the API did: nothing to tell anyone
            log.debug("Live relay ended: {}", e.toString());
            emitter.complete();
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
