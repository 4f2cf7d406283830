package org.pathways.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

/** What a page learns from the API's problem details: the kind, the words to show, and 404 as its own case. */
class ApiProblemTest {

    private static ApiProblem problem(int status, String json) {
        return ApiProblem.from(HttpStatusCode.valueOf(status), new HttpHeaders(),
                json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theKindIsTheLastPartOfTheTypeWhetherUrnOrUrl() {
        assertThat(problem(409, "{\"type\":\"urn:pathways:problem:possible-duplicate\"}").kind())
                .isEqualTo("possible-duplicate");
        assertThat(problem(422, "{\"type\":\"https://pathways.example/problems/consent-required\"}").kind())
                .isEqualTo("consent-required");
        assertThat(problem(400, "{}").kind()).isEmpty();
    }

    @Test
    void theDetailIsTheApisOwnAndLeavesTheFieldsToThePage() {
        ApiProblem invalid = problem(400, """
                {"type":"urn:pathways:problem:validation","detail":"Some fields are not valid.",
                 "errors":[{"field":"url","message":"must not be blank"},
                           {"field":"eventTypes","message":"must not be empty"}]}""");

        assertThat(invalid.detail()).as("the fields are said in the page's words (Problems), never the validator's")
                .isEqualTo("Some fields are not valid.");
        assertThat(problem(400, "{\"title\":\"Bad Request\"}").detail()).isEqualTo("Bad Request");
    }

    @Test
    void aNotFoundIsItsOwnCaseAndABodyThatIsNotJsonIsStillShown() {
        assertThat(problem(404, "{\"detail\":\"No such learner\"}")).isInstanceOf(ApiProblem.NotFound.class);
        assertThat(problem(502, "Bad gateway").detail()).isEqualTo("Bad gateway");
        // a field the API left out reads as null, as in JSON, instead of failing the page
        assertThat(problem(409, "{\"detail\":\"x\"}").body().get("candidates")).isNull();
    }
}
