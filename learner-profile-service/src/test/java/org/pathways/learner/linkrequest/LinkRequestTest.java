package org.pathways.learner.linkrequest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * A worker told of a possible duplicate they may not see asks the agency that holds it to link the records; that
 * agency accepts or declines. Neither learns anything of the other's record from it.
 */
class LinkRequestTest extends LearnerProfileServiceTest {

    private record Warned(String born, String existing, String token, String mine) {
    }

    /** Housing registers someone; the college, registering them too, is warned, then registers anyway. */
    private Warned warnedAtTheCollege(String given, String family) {
        String born = uniqueBirthDate();
        HttpApi.Response existing = api().post("/api/learners", TestTokens.worker(HOUSING),
                uniquePerson(given, family, born));
        assertThat(existing.status()).isEqualTo(201);
        String token = matchToken(COLLEGE, given, family, born);
        Map<String, Object> again = uniquePerson(given, family, born);
        again.put("confirmNotDuplicate", true);
        String mine = api().post("/api/learners", TestTokens.worker(COLLEGE), again).text("id");
        return new Warned(born, existing.text("id"), token, mine);
    }

    private String matchToken(String agency, String given, String family, String born) {
        HttpApi.Response warning = api().post("/api/learners", TestTokens.worker(agency),
                uniquePerson(given, family, born));
        assertThat(warning.isProblem(409, "possible-duplicate")).isTrue();
        return warning.body().path("candidates").valueStream().filter(candidate -> candidate.has("matchToken"))
                .findFirst().orElseThrow().path("matchToken").asString();
    }

    private HttpApi.Response ask(String agency, String ownRecord, String token) {
        return api().post("/api/learners/" + ownRecord + "/link-requests", TestTokens.worker(agency),
                Map.of("matchToken", token));
    }

    private List<JsonNode> listed(String agency, String direction) {
        HttpApi.Response response = api().get("/api/learners/link-requests?direction=" + direction,
                TestTokens.worker(agency));
        assertThat(response.status()).isEqualTo(200);
        return response.body().valueStream().toList();
    }

    private HttpApi.Response answer(String agency, String requestId, String decision) {
        return api().post("/api/learners/link-requests/" + requestId + "/" + decision, TestTokens.worker(agency),
                Map.of());
    }

    private List<String> storedLinks(String learnerId) {
        return mongo.findById(learnerId, Document.class, "learners").getList("links", Document.class, List.of())
                .stream().map(link -> link.getString("learnerId")).toList();
    }

    @Test
    void theOwningAgencyAcceptsAndTheRecordsAreLinkedWithoutEitherSeeingTheOther() {
        Warned warned = warnedAtTheCollege("Marisol", "Quintero");

        HttpApi.Response asked = ask(COLLEGE, warned.mine(), warned.token());

        assertThat(asked.status()).isEqualTo(201);
        assertThat(asked.text("status")).isEqualTo("PENDING");
        assertThat(asked.text("learnerId")).isEqualTo(warned.mine());
        String requestId = asked.text("id");
        assertThat(asked.body().toString()).doesNotContain(warned.existing(), HOUSING);
        assertThat(listed(COLLEGE, "outgoing").toString()).contains(requestId)
                .doesNotContain(warned.existing(), HOUSING);

        JsonNode incoming = listed(HOUSING, "incoming").stream()
                .filter(request -> request.path("id").asString().equals(requestId)).findFirst().orElseThrow();
        assertThat(incoming.path("learnerId").asString()).as("housing's own record").isEqualTo(warned.existing());
        assertThat(incoming.path("requestingAgencyId").asString()).isEqualTo(COLLEGE);
        assertThat(incoming.path("matchedOn").get(0).asString()).isEqualTo("DATE_OF_BIRTH_AND_NAME");
        assertThat(incoming.toString()).as("nothing of the college's record").doesNotContain(warned.mine());
        assertThat(listed(COUNCIL, "incoming").toString()).doesNotContain(requestId);
        assertThat(api().get("/api/learners/" + warned.existing() + "/audit", TestTokens.worker(HOUSING)).body()
                .valueStream().map(entry -> entry.path("action").asString()).toList())
                .as("showing housing who asks about its learner is audited").contains("READ_LINK_REQUEST");

        assertThat(answer(COUNCIL, requestId, "accept").isProblem(404, "not-found")).as("an outsider").isTrue();
        assertThat(answer(COLLEGE, requestId, "accept").isProblem(404, "not-found")).as("the requester").isTrue();
        assertThat(storedLinks(warned.existing())).isEmpty();

        HttpApi.Response accepted = answer(HOUSING, requestId, "accept");

        assertThat(accepted.status()).isEqualTo(200);
        assertThat(accepted.text("status")).isEqualTo("ACCEPTED");
        assertThat(storedLinks(warned.existing())).containsExactly(warned.mine());
        assertThat(storedLinks(warned.mine())).containsExactly(warned.existing());
        HttpApi.Response collegeView = api().get("/api/learners/" + warned.mine(), TestTokens.worker(COLLEGE));
        assertThat(collegeView.body().path("linkedLearnerIds")).isEmpty();
        assertThat(collegeView.body().path("otherLinkedRecords").asInt()).isEqualTo(1);
        assertThat(collegeView.body().toString()).as("the link names nothing of housing's record")
                .doesNotContain(warned.existing());
        assertThat(api().get("/api/learners/" + warned.existing(), TestTokens.worker(COLLEGE)).status())
                .as("accepting opens nothing").isEqualTo(404);
        assertThat(api().get("/api/learners/" + warned.mine(), TestTokens.worker(HOUSING)).status()).isEqualTo(404);
        assertThat(listed(COLLEGE, "outgoing").stream().filter(r -> r.path("id").asString().equals(requestId))
                .findFirst().orElseThrow().path("status").asString()).isEqualTo("ACCEPTED");
        assertThat(listed(COLLEGE, "outgoing").toString()).doesNotContain(warned.existing());

        assertThat(answer(HOUSING, requestId, "accept").status()).as("accepting again changes nothing")
                .isEqualTo(200);
        assertThat(storedLinks(warned.existing())).containsExactly(warned.mine());
        assertThat(answer(HOUSING, requestId, "decline").isProblem(409, "link-request-decided")).isTrue();
    }

    @Test
    void aDeclinedRequestLinksNothing() {
        Warned warned = warnedAtTheCollege("Teodoro", "Villanueva");
        String requestId = ask(COLLEGE, warned.mine(), warned.token()).text("id");

        HttpApi.Response declined = answer(HOUSING, requestId, "decline");

        assertThat(declined.status()).isEqualTo(200);
        assertThat(declined.text("status")).isEqualTo("DECLINED");
        assertThat(storedLinks(warned.existing())).isEmpty();
        assertThat(storedLinks(warned.mine())).isEmpty();
        assertThat(answer(HOUSING, requestId, "accept").isProblem(409, "link-request-decided")).isTrue();
    }

    @Test
    void anAcceptanceAndADeclineAtOnceEndLinkedAndAcceptedOrUnlinkedAndDeclinedNeverLinkedAndDeclined()
            throws Exception {
        for (int round = 0; round < 6; round++) {
            Warned warned = warnedAtTheCollege("Rosario", "Dimaculangan" + (char) ('a' + round));
            String requestId = ask(COLLEGE, warned.mine(), warned.token()).text("id");
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            try (var both = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                var accepted = both.submit(() -> {
                    start.await();
                    return answer(HOUSING, requestId, "accept");
                });
                var declined = both.submit(() -> {
                    start.await();
                    return answer(HOUSING, requestId, "decline");
                });
                start.countDown();
                accepted.get();
                declined.get();
            }
            String status = listed(HOUSING, "incoming").stream()
                    .filter(request -> request.path("id").asString().equals(requestId)).findFirst().orElseThrow()
                    .path("status").asString();
            boolean linked = storedLinks(warned.existing()).contains(warned.mine());
            assertThat(status + (linked ? " linked" : " not linked")).as("round %d", round)
                    .isIn("ACCEPTED linked", "DECLINED not linked");
        }
    }

    @Test
    void aRequestTheStoreFailedToWriteCanBeAskedAgainWithTheSameToken() {
        Warned warned = warnedAtTheCollege("Olamide", "Ferreira-Banks");
        try (var refused = StoreFaults.refuseWrites(
                mongo.getCollectionName(LinkRequest.class), "requestingLearnerId", warned.mine())) {
            HttpApi.Response failed = ask(COLLEGE, warned.mine(), warned.token());
            assertThat(failed.status()).as(failed.body().toString()).isGreaterThanOrEqualTo(500);
        }
        // The token is taken for that record: it serves no other record of the college's meanwhile.
        Map<String, Object> again = uniquePerson("Olamide", "Ferreira-Banks", warned.born());
        again.put("confirmNotDuplicate", true);
        String another = api().post("/api/learners", TestTokens.worker(COLLEGE), again).text("id");
        assertThat(ask(COLLEGE, another, warned.token()).isProblem(404, "not-found")).as("another record").isTrue();
        // Nothing was asked, and the token was not used up by the attempt: the retry asks.
        assertThat(listed(COLLEGE, "outgoing")).noneMatch(request -> warned.mine().equals(
                request.path("learnerId").asString()) || warned.mine().equals(request.path("requestingLearnerId")
                .asString()));
        assertThat(ask(COLLEGE, warned.mine(), warned.token()).status()).as("asked again").isEqualTo(201);
        assertThat(ask(COLLEGE, warned.mine(), warned.token()).isProblem(404, "not-found")).as("used once").isTrue();
    }

    @Test
    void aMatchTokenIsForTheAgencyItWasShownToOnceAndOnlyForItsOwnRecords() {
        Warned warned = warnedAtTheCollege("Henrietta", "Oyelaran");
        String councilRecord = registerLearner(COUNCIL);

        assertThat(ask(COUNCIL, councilRecord, warned.token()).isProblem(404, "not-found"))
                .as("another agency holding the token").isTrue();
        assertThat(ask(COLLEGE, councilRecord, warned.token()).isProblem(404, "not-found"))
                .as("for a record the college did not register").isTrue();
        assertThat(ask(COLLEGE, warned.mine(), "A".repeat(43)).isProblem(404, "not-found")).as("a guess").isTrue();
        assertThat(ask(COLLEGE, warned.mine(), "not a token").status()).isEqualTo(400);

        assertThat(ask(COLLEGE, warned.mine(), warned.token()).status()).as("still good for the college")
                .isEqualTo(201);
        assertThat(ask(COLLEGE, warned.mine(), warned.token()).isProblem(404, "not-found")).as("used once").isTrue();
        String second = matchToken(COLLEGE, "Henrietta", "Oyelaran", warned.born());
        assertThat(ask(COLLEGE, warned.mine(), second).isProblem(409, "link-request-pending")).isTrue();
        assertThat(api().get("/api/learners/link-requests?direction=sideways", TestTokens.worker(COLLEGE))
                .status()).isEqualTo(400);
    }

    @Test
    void erasingEitherRecordRemovesTheRequestsNamingIt() {
        Warned warned = warnedAtTheCollege("Leopoldine", "Marchetti");
        String requestId = ask(COLLEGE, warned.mine(), warned.token()).text("id");

        assertThat(api().delete("/api/learners/" + warned.mine(), TestTokens.worker(COLLEGE)).status())
                .isEqualTo(200);

        assertThat(mongo.findById(requestId, Document.class, "link_requests")).isNull();
        assertThat(listed(HOUSING, "incoming").toString()).doesNotContain(requestId);
        assertThat(answer(HOUSING, requestId, "accept").isProblem(404, "not-found")).isTrue();
    }
}
