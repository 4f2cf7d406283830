package org.pathways.web.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;

/**
 * The API client when the API no longer takes the person's access token (a 401: it expired, and the issuer gives no
 * refresh token): the token is forgotten, and the call ends in "sign in again", which no page takes for a refusal of
 * what was asked; any other refusal stays the API's problem, for the page to say.
 */
class PathwaysApiTest {

    private final StubApi api = new StubApi();

    @AfterEach
    void close() {
        api.close();
    }

    @Test
    void aTokenTheApiRefusesIsForgottenAndThePersonIsAskedToSignInAgain() {
        api.answering(request -> new StubApi.Answer(401, """
                {"type":"urn:pathways:problem:unauthenticated","status":401,"detail":"The token expired."}"""));

        assertThatThrownBy(() -> api.client().get("/api/referrals/{id}", "ref-1"))
                .isInstanceOf(ClientAuthorizationRequiredException.class).isNotInstanceOf(ApiProblem.class)
                .satisfies(e -> assertThat(((ClientAuthorizationRequiredException) e).getClientRegistrationId())
                        .isEqualTo("pathways"));
        assertThat(api.forgottenTokens()).containsExactly("pathways");
    }

    @Test
    void anyOtherRefusalIsTheApisProblemAndTheTokenIsKept() {
        api.answering(request -> new StubApi.Answer(403, """
                {"type":"urn:pathways:problem:forbidden","status":403,"detail":"Not yours."}"""));

        assertThatThrownBy(() -> api.client().get("/api/referrals/{id}", "ref-1"))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> assertThat(problem.kind()).isEqualTo("forbidden"));
        assertThat(api.forgottenTokens()).isEmpty();
    }

    /**
     * The API not answering at all (the gateway down: nothing listens) is a {@code 503} problem like any other
     * refusal, which every form answers by showing itself again as written, not an error page that loses it.
     */
    @Test
    void anApiThatDoesNotAnswerIsAServiceUnavailableProblem() {
        PathwaysApi client = api.client();
        api.close();

        assertThatThrownBy(() -> client.postWithKey("/api/referrals", java.util.Map.of("need", "x"), "key-1"))
                .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                    assertThat(problem.status().value()).isEqualTo(503);
                    assertThat(problem.kind()).isEqualTo("service-unavailable");
                });
    }
}
