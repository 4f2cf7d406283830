package org.pathways.learner.linking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * Links need sight of both records; they are always two-way, a record merged away stands for the record it was
 * merged into, and a view names only the linked records its agency may see.
 */
class LinkTest extends LearnerProfileServiceTest {

    private String register(String agency, String given, String family, String born) {
        Map<String, Object> person = uniquePerson(given, family, born);
        person.put("confirmNotDuplicate", true);
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency), person);
        assertThat(response.status()).isEqualTo(201);
        return response.text("id");
    }

    private HttpApi.Response link(String agency, String from, String to) {
        return api().post("/api/learners/" + from + "/links", TestTokens.worker(agency), Map.of("otherLearnerId", to));
    }

    private void consent(String learnerId, String registering, String to) {
        assertThat(api().post("/api/learners/" + learnerId + "/consents", TestTokens.worker(registering),
                Map.of("agencyId", to, "purpose", "CONTACT", "method", "VERBAL")).status()).isEqualTo(201);
    }

    private List<String> linksOf(String learnerId, String agency) {
        return api().get("/api/learners/" + learnerId, TestTokens.worker(agency)).body()
                .path("linkedLearnerIds").valueStream().map(JsonNode::asString).toList();
    }

    /** The links as stored, whoever may see them. */
    private List<String> storedLinks(String learnerId) {
        return mongo.findById(learnerId, Document.class, "learners").getList("links", Document.class, List.of())
                .stream().map(link -> link.getString("learnerId")).toList();
    }

    private Document stored(String learnerId) {
        return mongo.findById(learnerId, Document.class, "learners");
    }

    @Test
    void aLinkToARecordTheCallerMayNotSeeIsRefusedLikeAnUnknownOneAndNothingIsWritten() {
        String born = uniqueBirthDate();
        String atHousing = register(HOUSING, "Nadia", "Haddad", born);
        String atCollege = register(COLLEGE, "Nadia", "Haddad", born);
        long housingVersion = stored(atHousing).getLong("version");
        long collegeVersion = stored(atCollege).getLong("version");

        HttpApi.Response refused = link(COLLEGE, atCollege, atHousing);

        assertThat(refused.isProblem(404, "not-found")).isTrue();
        assertThat(refused.body().toString()).doesNotContain("Nadia", "Haddad", HOUSING);
        assertThat(link(COLLEGE, atCollege, "lrn-does-not-exist").body().path("title").asString())
                .as("the same answer as for a record that does not exist")
                .isEqualTo(refused.body().path("title").asString());
        // A link and its event are one write through the outbox: an unchanged version means neither happened.
        assertThat(stored(atHousing).getLong("version")).isEqualTo(housingVersion);
        assertThat(stored(atCollege).getLong("version")).isEqualTo(collegeVersion);
        assertThat(storedLinks(atHousing)).isEmpty();
        assertThat(storedLinks(atCollege)).isEmpty();
        assertThat(link(HOUSING, atHousing, atCollege).isProblem(404, "not-found")).as("nor the other way").isTrue();
        assertThat(storedLinks(atHousing)).isEmpty();
    }

    @Test
    void linkingToARecordMergedAwayLinksBothWaysToTheRecordItWasMergedInto() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Oluwaseun", "Adebayo", born);
        String retired = register(COUNCIL, "Seun", "Adebayo", born);
        consent(retired, COUNCIL, COLLEGE);
        assertThat(api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired)).status()).isEqualTo(200);
        String atCollege = register(COLLEGE, "Seun", "Adebayo", born);

        HttpApi.Response linked = link(COLLEGE, atCollege, retired);

        assertThat(linked.status()).isEqualTo(201);
        assertThat(linksOf(atCollege, COLLEGE)).containsExactly(survivor);
        assertThat(storedLinks(survivor)).as("two-way").containsExactly(atCollege);
        HttpApi.Response councilView = api().get("/api/learners/" + survivor, TestTokens.worker(COUNCIL));
        assertThat(councilView.body().path("linkedLearnerIds")).as("the council may not see the college's record")
                .isEmpty();
        assertThat(councilView.body().path("otherLinkedRecords").asInt()).isEqualTo(1);
        assertThat(storedLinks(retired)).as("the retired record stays as it was").isEmpty();

        HttpApi.Response again = link(COLLEGE, atCollege, retired);
        assertThat(again.isProblem(409, "already-linked")).isTrue();
    }

    @Test
    void anAgencyThatMaySeeTheRecordButNotItsLinksIsNotToldWhereAMergedRecordWent() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Ifeoma", "Eze", born);
        String retired = register(COUNCIL, "Ify", "Eze", born);
        consent(retired, COUNCIL, HOUSING);
        api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired));
        String atCollege = register(COLLEGE, "Ify", "Eze", born);
        consent(atCollege, COLLEGE, HOUSING);

        HttpApi.Response linked = link(HOUSING, atCollege, retired);

        assertThat(linked.status()).isEqualTo(201);
        assertThat(linked.body().toString()).doesNotContain(survivor);
        assertThat(storedLinks(atCollege)).containsExactly(survivor);
        assertThat(storedLinks(survivor)).containsExactly(atCollege);
    }

    @Test
    void aMergeKeepsEveryLinkTwoWay() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Chidi", "Okonkwo", born);
        String retired = register(COUNCIL, "Chidi", "Okonkwo", born);
        String atCollege = register(COLLEGE, "Chidi", "Okonkwo", born);
        consent(retired, COUNCIL, COLLEGE);
        assertThat(link(COLLEGE, atCollege, retired).status()).isEqualTo(201);

        assertThat(api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired)).status()).isEqualTo(200);

        assertThat(storedLinks(survivor)).containsExactly(atCollege);
        assertThat(storedLinks(atCollege)).containsExactlyInAnyOrder(retired, survivor);
        assertThat(linksOf(atCollege, COLLEGE)).as("both council records are open to the college")
                .containsExactlyInAnyOrder(retired, survivor);
    }

    @Test
    void aRecordMergedIntoAnErasedOneIsNotFoundAndAMergedIntoItselfIsAlreadyLinked() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Amara", "Nwosu", born);
        String retired = register(COUNCIL, "Amara", "Nwosu", born);
        consent(retired, COUNCIL, COLLEGE);
        api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired));

        assertThat(link(COUNCIL, survivor, retired).isProblem(409, "already-linked"))
                .as("the two records are one person's already").isTrue();

        String atCollege = register(COLLEGE, "Amara", "Nwosu", born);
        assertThat(api().delete("/api/learners/" + survivor, TestTokens.worker(COUNCIL)).status()).isEqualTo(200);
        HttpApi.Response erased = link(COLLEGE, atCollege, retired);
        assertThat(erased.isProblem(404, "not-found")).isTrue();
        assertThat(erased.body().toString()).doesNotContain(survivor);
        assertThat(linksOf(atCollege, COLLEGE)).isEmpty();
    }
}
