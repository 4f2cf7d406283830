package org.pathways.catalogue;

import org.pathways.testing.HttpApi;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.node.ObjectNode;

/** Whatever a caller sends, the answer is a 4xx problem, never a 500, and it never echoes what was sent. */
class HostileInputTest extends OpportunityCatalogueServiceTest {

    private static final String LONG = "x".repeat(10_000);

    private static String opportunity(String field, Object value) {
        ObjectNode body = HttpApi.JSON.valueToTree(opportunityDetails());
        body.set(field, HttpApi.JSON.valueToTree(value));
        return body.toString();
    }

    private static String opportunityWithout(String field) {
        ObjectNode body = HttpApi.JSON.valueToTree(opportunityDetails());
        body.remove(field);
        return body.toString();
    }

    static Stream<Arguments> hostileOpportunities() {
        return Stream.of(
                Arguments.of("operator injection in the title", opportunity("title", Map.of("$gt", ""))),
                Arguments.of("operator injection in the capacity", opportunity("capacity", Map.of("$gt", 0))),
                Arguments.of("an unknown field", opportunity("featured", true)),
                Arguments.of("an attempt to set the status", opportunity("status", "PUBLISHED")),
                Arguments.of("an attempt to choose the provider", opportunity("providerAgencyId", "agency-x")),
                Arguments.of("an attempt to set places taken", opportunity("placesTaken", 3)),
                Arguments.of("a 10k-character title", opportunity("title", LONG)),
                Arguments.of("a 10k-character description", opportunity("description", LONG)),
                Arguments.of("a capacity of the wrong type", opportunity("capacity", "lots")),
                Arguments.of("a fractional capacity", opportunity("capacity", 2.5)),
                Arguments.of("a negative capacity", opportunity("capacity", -1)),
                Arguments.of("an absurd capacity", opportunity("capacity", Long.MAX_VALUE)),
                Arguments.of("a level that does not exist", opportunity("level", "L9")),
                Arguments.of("an unknown kind", opportunity("kind", "PARTY")),
                Arguments.of("a number for a kind", opportunity("kind", 2)),
                Arguments.of("a missing kind", opportunityWithout("kind")),
                Arguments.of("a missing title", opportunityWithout("title")),
                Arguments.of("a blank title", opportunity("title", "  ")),
                Arguments.of("not JSON", "{\"title\": "),
                Arguments.of("JSON that is not an object", "\"ESOL\""),
                Arguments.of("an empty body", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileOpportunities")
    void aHostileOpportunityIsABadRequestProblem(String what, String body) {
        HttpApi.Response response = api().post("/api/opportunities", TestTokens.worker(COLLEGE), body);

        assertThat(response.status()).as(what).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body().toString()).doesNotContain(LONG).doesNotContain("$gt");
    }

    @Test
    void aHostileSearchIsABadRequestProblem() {
        String token = TestTokens.worker(COUNCIL);
        assertThat(api().get("/api/opportunities?kind=PARTY", token).status()).isEqualTo(400);
        assertThat(api().get("/api/opportunities?level=L9", token).status()).isEqualTo(400);
        assertThat(api().get("/api/opportunities?level=%7B%22%24gt%22%3A%22%22%7D", token).status()).isEqualTo(400);
        assertThat(api().get("/api/opportunities?kind=" + LONG.substring(0, 2000), token).status()).isEqualTo(400);
    }

    @Test
    void strangeIdsInThePathAreSimplyNotFound() {
        String token = TestTokens.worker(COLLEGE);
        assertThat(api().get("/api/opportunities/%7B%22%24gt%22%3A%22%22%7D", token).status()).isEqualTo(404);
        assertThat(api().post("/api/opportunities/" + "x".repeat(2000) + "/publish", token, "").status())
                .isEqualTo(404);
    }
}
