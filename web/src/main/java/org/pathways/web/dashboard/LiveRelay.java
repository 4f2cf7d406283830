package org.pathways.web.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import org.pathways.web.config.WebProperties;

/**
 * Relays the progression-service's server-sent events ({@code /api/progression/live}, through the gateway) to the
 * browser, byte for byte as they arrive, with the signed-in person's access token: the browser never holds the token,
 * and hears only of changes the API would tell that person about. The token is taken on the request thread (the
 * session is there); the relay then runs on the async thread until either side closes. The API ends each stream
 * after its lifetime; the browser's EventSource then reconnects here.
 */
@Component
class LiveRelay {

    private static final Logger log = LoggerFactory.getLogger(LiveRelay.class);

    private final OAuth2AuthorizedClientManager authorizedClients;
    private final WebProperties properties;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    LiveRelay(OAuth2AuthorizedClientManager authorizedClients, WebProperties properties) {
        this.authorizedClients = authorizedClients;
        this.properties = properties;
    }

    StreamingResponseBody relay() {
        ServletRequestAttributes request = (ServletRequestAttributes) RequestContextHolder.currentRequestAttributes();
        OAuth2AuthorizedClient client = authorizedClients.authorize(OAuth2AuthorizeRequest
                .withClientRegistrationId(properties.registrationId())
                .principal(SecurityContextHolder.getContext().getAuthentication())
                .attribute(jakarta.servlet.http.HttpServletRequest.class.getName(), request.getRequest())
                .attribute(jakarta.servlet.http.HttpServletResponse.class.getName(), request.getResponse())
                .build());
        if (client == null) {
            throw new IllegalStateException("no access token for the signed-in person");
        }
        String token = client.getAccessToken().getTokenValue();
        URI live = properties.apiUrl().resolve("/api/progression/live");
        return out -> {
            HttpRequest upstream = HttpRequest.newBuilder(live)
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/event-stream")
                    .GET().build();
            try {
                HttpResponse<InputStream> answer = http.send(upstream, HttpResponse.BodyHandlers.ofInputStream());
                if (answer.statusCode() != 200) {
                    log.debug("The live updates answered {}", answer.statusCode());
                    answer.body().close();
                    // an SSE comment, then the end: EventSource tries again after its retry delay
                    out.write(("retry: 30000\n: unavailable " + answer.statusCode() + "\n\n").getBytes());
                    return;
                }
                try (InputStream in = answer.body()) {
                    byte[] buffer = new byte[8192];
                    int read;
                    while ((read = in.read(buffer)) >= 0) {
                        out.write(buffer, 0, read);
                        out.flush();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // the browser went away (or the API did): nothing to tell anyone
                log.debug("Live relay ended: {}", e.toString());
            }
        };
    }
}
