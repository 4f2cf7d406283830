package org.pathways.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pathways.testing.MutableClock;
import org.pathways.testing.TokenClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Password and client-secret guessing over real HTTP, as an attacker would try it: the sign-in form after fetching
 * its CSRF token, and the token endpoint with {@code client_secret_post}. The issuer's limits are the configured
 * ones (10 per username or client id within 15 minutes) but for the address, lowered to 30 so that it is reached
 * quickly; a test clock passes the window without waiting, and every test starts a window after the last.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=" + IdentityServiceApplication.NAME, "spring.profiles.active=demo",
                "pathways.identity.guessing.address.failures=30"})
@Import(GuessingLimitsTest.Clocks.class)
class GuessingLimitsTest {

    static final String PAUSED = "Too many failed sign-in attempts";
    private static final Pattern ALERT = Pattern.compile("role=\"alert\">([^<]*)<");
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]*)\"");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TestConfiguration(proxyBeanMethods = false)
    static class Clocks {
        @Bean
        MutableClock clock() {
            return new MutableClock();
        }
    }

    @LocalServerPort
    int port;

    @Autowired
    MutableClock clock;

    @BeforeEach
    void everyEarlierFailureIsOver() {
        clock.advance(Duration.ofHours(1));
    }

    private URI issuer() {
        return URI.create("http://localhost:" + port);
    }

    /** What a person sees after posting the sign-in form: signed in, or the status and message of the page. */
    record FormAnswer(boolean signedIn, int status, String message) {
    }

    private FormAnswer signInOnTheForm(String username, String password, Map<String, String> headers)
            throws Exception {
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .cookieHandler(new CookieManager()).build();
        URI login = issuer().resolve("/login");
        String form = browser.send(HttpRequest.newBuilder(login).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher csrf = CSRF.matcher(form);
        assertThat(csrf.find()).as("the login page's CSRF token").isTrue();
        HttpRequest.Builder post = HttpRequest.newBuilder(login)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("username", username, "password", password,
                        "_csrf", csrf.group(1)))));
        headers.forEach(post::header);
        HttpResponse<String> answer = browser.send(post.build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 302) {
            assertThat(answer.statusCode()).as("status").isEqualTo(429);
            return new FormAnswer(false, answer.statusCode(), alert(answer.body()));
        }
        URI next = login.resolve(answer.headers().firstValue("Location").orElseThrow());
        if (!"/login".equals(next.getPath())) {
            return new FormAnswer(true, 302, null);
        }
        assertThat(next.getQuery()).isEqualTo("error");
        return new FormAnswer(false, 302, alert(browser.send(HttpRequest.newBuilder(next).build(),
                HttpResponse.BodyHandlers.ofString()).body()));
    }

    private static String alert(String page) {
        Matcher alert = ALERT.matcher(page);
        assertThat(alert.find()).as("a message on [%s]", page).isTrue();
        return alert.group(1);
    }

    private FormAnswer signInOnTheForm(String username, String password) throws Exception {
        return signInOnTheForm(username, password, Map.of());
    }

    private HttpResponse<String> clientCredentialsPosted(String clientId, String secret) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(issuer().resolve("/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "client_credentials",
                        "client_id", clientId, "client_secret", secret)))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(field -> field.getKey() + "="
                + URLEncoder.encode(field.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private boolean signsInForAToken(String username) throws Exception {
        try {
            new TokenClient(issuer()).signIn(IdentityServiceTest.WEB_APP, IdentityServiceTest.CALLBACK, username,
                    "demo-password");
            return true;
        } catch (TokenClient.TokenRequestFailed refused) {
            return false;
        }
    }

    @Test
    void afterTenWrongPasswordsTheRightOneIsRefusedUntilTheWindowHasPassed() throws Exception {
        for (int attempt = 1; attempt <= 10; attempt++) {
            FormAnswer wrong = signInOnTheForm("college-worker", "guess-" + attempt);
            assertThat(wrong.signedIn()).isFalse();
            assertThat(wrong.message()).as("attempt %d is still checked", attempt).isEqualTo("Invalid credentials");
        }

        FormAnswer eleventh = signInOnTheForm("college-worker", "demo-password");

        assertThat(eleventh.signedIn()).as("the right password, after ten wrong ones").isFalse();
        assertThat(eleventh.status()).isEqualTo(429);
        assertThat(eleventh.message()).contains(PAUSED, "try again in 15 minutes");
        assertThat(signsInForAToken("college-worker")).isFalse();
        assertThat(signsInForAToken("college-admin")).as("another user is unaffected").isTrue();

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(signsInForAToken("college-worker")).as("after the window").isTrue();
    }

    @Test
    void anUnknownUsernameIsAnsweredJustAsAKnownOne() throws Exception {
        for (int attempt = 1; attempt <= 10; attempt++) {
            FormAnswer known = signInOnTheForm("council-worker", "guess-" + attempt);
            FormAnswer unknown = signInOnTheForm("no-such-worker", "guess-" + attempt);
            assertThat(unknown).isEqualTo(known);
        }

        FormAnswer known = signInOnTheForm("council-worker", "demo-password");
        FormAnswer unknown = signInOnTheForm("no-such-worker", "demo-password");

        assertThat(known.status()).isEqualTo(429);
        assertThat(known.message()).contains(PAUSED);
        assertThat(unknown).isEqualTo(known);
    }

    @Test
    void aSuccessfulSignInClearsTheUsernamesFailures() throws Exception {
        for (int attempt = 1; attempt <= 9; attempt++) {
            signInOnTheForm("jobcentre-worker", "guess-" + attempt);
        }
        assertThat(signInOnTheForm("jobcentre-worker", "demo-password").signedIn()).isTrue();
        for (int attempt = 1; attempt <= 9; attempt++) {
            signInOnTheForm("jobcentre-worker", "guess-" + attempt);
        }

        assertThat(signInOnTheForm("jobcentre-worker", "demo-password").signedIn()).isTrue();
    }

    @Test
    void oneAddressIsPausedAfterItsLooserLimitWhateverUsernamesAndForwardedForItSends() throws Exception {
        // No proxy is trusted by default: X-Forwarded-For is no way to pass for thirty different clients.
        for (int attempt = 1; attempt <= 30; attempt++) {
            FormAnswer wrong = signInOnTheForm("guessed-user-" + attempt, "guess",
                    Map.of("X-Forwarded-For", "198.51.100." + attempt));
            assertThat(wrong.message()).isEqualTo("Invalid credentials");
        }

        FormAnswer fresh = signInOnTheForm("coordinator", "demo-password",
                Map.of("X-Forwarded-For", "203.0.113.7"));

        assertThat(fresh.signedIn()).as("a username never guessed, from the same address").isFalse();
        assertThat(fresh.status()).isEqualTo(429);
        assertThat(fresh.message()).contains(PAUSED);
        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(signInOnTheForm("coordinator", "demo-password").signedIn()).isTrue();
    }

    @Test
    void afterTenWrongClientSecretsTheRightOneIsAnsweredTooManyRequestsUntilTheWindowHasPassed() throws Exception {
        for (int attempt = 1; attempt <= 10; attempt++) {
            HttpResponse<String> wrong = clientCredentialsPosted("agency-jobcentre-system", "guess-" + attempt);
            assertThat(wrong.statusCode()).as("attempt %d", attempt).isEqualTo(401);
            assertThat(wrong.body()).contains("invalid_client");
        }

        HttpResponse<String> right = clientCredentialsPosted("agency-jobcentre-system", "jobcentre-system-secret");

        assertThat(right.statusCode()).isEqualTo(429);
        assertThat(right.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                assertThat(Long.parseLong(seconds)).isBetween(1L, 900L));
        assertThat(right.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(right.body());
        assertThat(problem.get("type").asString()).isEqualTo("urn:pathways:problem:rate-limited");
        assertThat(problem.get("status").asInt()).isEqualTo(429);
        assertThat(right.body()).doesNotContain("access_token");
        TokenClient issuer = new TokenClient(issuer());
        assertThat(issuer.clientCredentials("agency-council-system", "council-system-secret").accessToken())
                .as("another client is unaffected").isNotBlank();
        // The agency's own system, from its own address, is not paused by someone else's guesses at its client id.
        HttpResponse<String> fromItsOwnAddress = HttpClient.newBuilder()
                .localAddress(java.net.InetAddress.getByName("127.0.0.2")).build()
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + issuer().getPort() + "/oauth2/token"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form(Map.of("grant_type", "client_credentials",
                                "client_id", "agency-jobcentre-system", "client_secret",
                                "jobcentre-system-secret")))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(fromItsOwnAddress.statusCode()).as(fromItsOwnAddress.body()).isEqualTo(200);
        assertThat(fromItsOwnAddress.body()).contains("access_token");

        clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        assertThat(issuer.clientCredentials("agency-jobcentre-system", "jobcentre-system-secret").accessToken())
                .as("after the window, with HTTP Basic").isNotBlank();
    }

    @Test
    void anUnknownClientIdIsPausedJustAsAKnownOne() throws Exception {
        for (int attempt = 1; attempt <= 10; attempt++) {
            assertThat(clientCredentialsPosted("no-such-system", "guess").statusCode()).isEqualTo(401);
        }

        assertThat(clientCredentialsPosted("no-such-system", "guess").statusCode()).isEqualTo(429);
    }
}
