package org.pathways.testing;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Gets tokens from the identity-service over HTTP, the way real clients do: client credentials for an agency's
 * system, and for a person the authorization code flow with PKCE, signing in on the issuer's own login form as a
 * browser would. Plain JDK HTTP and no Spring, so that the devstack and the tests can use it as a library.
 */
public final class TokenClient {

    /** What the token endpoint answered. */
    public record Tokens(String accessToken, String idToken, long expiresInSeconds) {
    }

    /** The issuer refused, or answered something other than the protocol says. */
    public static final class TokenRequestFailed extends IOException {
        public TokenRequestFailed(String message) {
            super(message);
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern CSRF_INPUT = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*>");
    private static final Pattern VALUE = Pattern.compile("value=\"([^\"]*)\"");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final URI issuer;
    private JsonNode discovery;

    /** @param issuer the issuer's base URL, e.g. http://localhost:9000 */
    public TokenClient(URI issuer) {
        this.issuer = issuer;
    }

    /** The OpenID Provider metadata, read once from /.well-known/openid-configuration. */
    public synchronized JsonNode discovery() throws IOException, InterruptedException {
        if (discovery == null) {
            HttpResponse<String> response = client(false).send(HttpRequest.newBuilder(
                    issuer.resolve("/.well-known/openid-configuration")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new TokenRequestFailed("Discovery at " + issuer + " answered HTTP " + response.statusCode());
            }
            discovery = JSON.readTree(response.body());
        }
        return discovery;
    }

    /** An agency system's token: the client credentials grant, the secret sent with HTTP Basic. */
    public Tokens clientCredentials(String clientId, String secret) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((encode(clientId) + ":" + encode(secret))
                .getBytes(StandardCharsets.UTF_8));
        return token(Map.of("grant_type", "client_credentials"), basic, client(false));
    }

    /** An authorization code as the client receives it, with the PKCE verifier only the client knows. */
    public record AuthorizationCode(String clientId, String redirectUri, String code, String verifier) {
    }

    /**
     * A person's token through a public client: starts an authorization request with a PKCE challenge, signs in on
     * the login form it is sent to, takes the code from the redirect, and redeems it with the verifier.
     */
    public Tokens signIn(String clientId, String redirectUri, String username, String password)
            throws IOException, InterruptedException {
        return redeem(authorize(clientId, redirectUri, username, password));
    }

    /** The first half of {@link #signIn}: as far as the code the issuer redirects to the client with. */
    public AuthorizationCode authorize(String clientId, String redirectUri, String username, String password)
            throws IOException, InterruptedException {
        HttpClient browser = client(true);
        String verifier = randomUrlSafe(32);
        String state = randomUrlSafe(16);
        Map<String, String> authorize = new LinkedHashMap<>();
        authorize.put("response_type", "code");
        authorize.put("client_id", clientId);
        authorize.put("redirect_uri", redirectUri);
        authorize.put("scope", "openid profile");
        authorize.put("state", state);
        authorize.put("code_challenge", challengeOf(verifier));
        authorize.put("code_challenge_method", "S256");
        URI authorizeUri = URI.create(discovery().get("authorization_endpoint").asString() + "?" + form(authorize));

        // No session yet: the issuer remembers the request and sends the browser to its login page.
        URI login = redirect(browser.send(get(authorizeUri), HttpResponse.BodyHandlers.discarding()), "sign-in");
        HttpResponse<String> page = browser.send(get(login), HttpResponse.BodyHandlers.ofString());
        Map<String, String> credentials = new LinkedHashMap<>();
        credentials.put("username", username);
        credentials.put("password", password);
        credentials.put("_csrf", csrfToken(page.body()));
        HttpResponse<Void> signedIn = browser.send(HttpRequest.newBuilder(login).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(credentials))).build(),
                HttpResponse.BodyHandlers.discarding());
        URI resumed = redirect(signedIn, "the authorization request after sign-in");
        if (resumed.getPath().endsWith("/login") && resumed.getQuery() != null
                && resumed.getQuery().contains("error")) {
            throw new TokenRequestFailed("Sign-in as " + username + " was refused");
        }
        // Signed in: the issuer resumes the authorization request and redirects to the client with a code.
        URI callback = redirect(browser.send(get(resumed), HttpResponse.BodyHandlers.discarding()), "the client");
        Map<String, String> answer = query(callback);
        if (!state.equals(answer.get("state"))) {
            throw new TokenRequestFailed("The redirect carries another state than the request");
        }
        if (answer.get("code") == null) {
            throw new TokenRequestFailed("No authorization code: " + answer.getOrDefault("error", "?") + " "
                    + answer.getOrDefault("error_description", ""));
        }
        return new AuthorizationCode(clientId, redirectUri, answer.get("code"), verifier);
    }

    /** The second half of {@link #signIn}: the code and its verifier exchanged for tokens. */
    public Tokens redeem(AuthorizationCode authorization) throws IOException, InterruptedException {
        Map<String, String> redeem = new LinkedHashMap<>();
        redeem.put("grant_type", "authorization_code");
        redeem.put("code", authorization.code());
        redeem.put("redirect_uri", authorization.redirectUri());
        redeem.put("client_id", authorization.clientId());
        if (authorization.verifier() != null) {
            redeem.put("code_verifier", authorization.verifier());
        }
        return token(redeem, null, client(false));
    }

    private Tokens token(Map<String, String> parameters, String basicCredentials, HttpClient http)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(discovery().get("token_endpoint").asString()))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form(parameters)));
        if (basicCredentials != null) {
            request.header("Authorization", "Basic " + basicCredentials);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new TokenRequestFailed("The token endpoint answered HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        JsonNode body = JSON.readTree(response.body());
        JsonNode idToken = body.get("id_token");
        return new Tokens(body.get("access_token").asString(), idToken == null ? null : idToken.asString(),
                body.path("expires_in").asLong());
    }

    /** Redirects are followed by hand: the last one goes to the client, which need not be listening. */
    private static HttpClient client(boolean withCookies) {
        HttpClient.Builder builder = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5));
        if (withCookies) {
            builder.cookieHandler(new CookieManager());
        }
        return builder.build();
    }

    private static HttpRequest get(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Accept", "text/html").GET().build();
    }

    private static URI redirect(HttpResponse<?> response, String towards) throws TokenRequestFailed {
        if (response.statusCode() / 100 != 3) {
            throw new TokenRequestFailed("Expected a redirect to " + towards + ", got HTTP " + response.statusCode());
        }
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new TokenRequestFailed("A redirect without a Location"));
        return response.uri().resolve(location);
    }

    private static String csrfToken(String loginPage) throws TokenRequestFailed {
        Matcher input = CSRF_INPUT.matcher(loginPage);
        if (input.find()) {
            Matcher value = VALUE.matcher(input.group());
            if (value.find()) {
                return value.group(1);
            }
        }
        throw new TokenRequestFailed("The login page has no CSRF token");
    }

    static String challengeOf(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    private static String randomUrlSafe(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : pair.substring(equals + 1);
                parameters.put(java.net.URLDecoder.decode(name, StandardCharsets.UTF_8),
                        java.net.URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return parameters;
    }

    private static String form(Map<String, String> parameters) {
        return parameters.entrySet().stream().map(entry -> encode(entry.getKey()) + "=" + encode(entry.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
