package org.pathways.web.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.awaitility.Awaitility;
import org.pathways.testing.TokenClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the browser tests do through the API rather than the pages, to set the scene or to make something happen
 * elsewhere while a page is open (another agency accepts a referral): the demo people's real tokens from the
 * platform's issuer (authorization code + PKCE through the web app's client, as the devstack gets them), and calls
 * through the gateway.
 */
public final class PlatformApi {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final BrowserPlatform platform;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    public PlatformApi(BrowserPlatform platform) {
        this.platform = platform;
    }

    public String tokenOf(String user) {
        return tokens.computeIfAbsent(user, name -> {
            try {
                return new TokenClient(platform.issuer).signIn("pathways-web", platform.address + "/login/callback",
                        name, BrowserPlatform.PASSWORD).accessToken();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    /** POSTs as {@code user}; the answer must be a success. */
    public JsonNode post(String user, String path, Object body) {
        HttpResponse<String> answer = send(user, "POST", path, body);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** POSTs as {@code user} with {@code If-Match} (a version read before); the answer must be a success. */
    public JsonNode postIfMatch(String user, String path, Object body, String ifMatch) {
        HttpResponse<String> answer = send(user, "POST", path, body, ifMatch);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** POSTs until the API accepts it: a referral waits for the consent and opportunity events to arrive. */
    public JsonNode postOnceAccepted(String user, String path, Object body) {
        JsonNode[] answer = new JsonNode[1];
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
            HttpResponse<String> reply = send(user, "POST", path, body);
            if (reply.statusCode() / 100 == 2) {
                answer[0] = JSON.readTree(reply.body());
                return true;
            }
            return false;
        });
        return answer[0];
    }

    public JsonNode get(String user, String path) {
        HttpResponse<String> answer = send(user, "GET", path, null);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("GET " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    /** Takes the referral one step on, as {@code user} of the agency whose turn it is. */
    public JsonNode transition(String user, String referralId, String action) {
        long version = get(user, "/api/referrals/" + referralId).get("version").asLong();
        return post(user, "/api/referrals/" + referralId + "/transitions", Map.of("action", action,
                "version", version));
    }

    /** Takes the referral one step on with a coded reason (reject, fail, cancel, hold). */
    public JsonNode transition(String user, String referralId, String action, String reason) {
        long version = get(user, "/api/referrals/" + referralId).get("version").asLong();
        return post(user, "/api/referrals/" + referralId + "/transitions", Map.of("action", action,
                "version", version, "reason", reason));
    }

    /** PUTs as {@code user}; the answer must be a success. */
    public JsonNode put(String user, String path, Object body) {
        HttpResponse<String> answer = send(user, "PUT", path, body);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException("PUT " + path + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> send(String user, String method, String path, Object body) {
        return send(user, method, path, body, null);
    }

    private HttpResponse<String> send(String user, String method, String path, Object body, String ifMatch) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(platform.address + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tokenOf(user))
                .header("Accept", "application/json, application/problem+json");
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
