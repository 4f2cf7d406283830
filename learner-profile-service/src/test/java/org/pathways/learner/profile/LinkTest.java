package org.pathways.learner.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.learner.RunningService;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/** Links are always two-way, and a record merged away stands for the record it was merged into. */
class LinkTest extends RunningService {

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

    private List<String> linksOf(String learnerId, String registeringAgency) {
        return api().get("/api/learners/" + learnerId, TestTokens.worker(registeringAgency)).body()
                .path("linkedLearnerIds").valueStream().map(JsonNode::asString).toList();
    }

    @Test
    void linkingToARecordMergedAwayLinksBothWaysToTheRecordItWasMergedInto() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Oluwaseun", "Adebayo", born);
        String retired = register(COUNCIL, "Seun", "Adebayo", born);
        assertThat(api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired)).status()).isEqualTo(200);
        String atCollege = register(COLLEGE, "Seun", "Adebayo", born);

        HttpApi.Response linked = link(COLLEGE, atCollege, retired);

        assertThat(linked.status()).isEqualTo(201);
        assertThat(linksOf(atCollege, COLLEGE)).containsExactly(survivor);
        assertThat(linksOf(survivor, COUNCIL)).as("two-way").containsExactly(atCollege);
        assertThat(linksOf(retired, COUNCIL)).as("the retired record stays as it was").isEmpty();
        assertThat(api().get("/api/learners/" + survivor, TestTokens.worker(COLLEGE)).status())
                .as("a link opens nothing").isEqualTo(404);

        HttpApi.Response again = link(COLLEGE, atCollege, retired);
        assertThat(again.isProblem(409, "already-linked")).isTrue();
        assertThat(again.body().toString()).doesNotContain(survivor);
    }

    @Test
    void anAgencyThatMaySeeTheRecordButNotItsLinksIsNotToldWhereAMergedRecordWent() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Ifeoma", "Eze", born);
        String retired = register(COUNCIL, "Ify", "Eze", born);
        api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired));
        String atCollege = register(COLLEGE, "Ify", "Eze", born);
        api().post("/api/learners/" + atCollege + "/consents", TestTokens.worker(COLLEGE),
                Map.of("agencyId", HOUSING, "purpose", "CONTACT", "method", "VERBAL"));

        HttpApi.Response linked = link(HOUSING, atCollege, retired);

        assertThat(linked.status()).isEqualTo(201);
        assertThat(linked.body().toString()).doesNotContain(survivor);
        assertThat(linksOf(atCollege, COLLEGE)).containsExactly(survivor);
        assertThat(linksOf(survivor, COUNCIL)).containsExactly(atCollege);
    }

    @Test
    void aMergeKeepsEveryLinkTwoWay() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Chidi", "Okonkwo", born);
        String retired = register(COUNCIL, "Chidi", "Okonkwo", born);
        String atCollege = register(COLLEGE, "Chidi", "Okonkwo", born);
        assertThat(link(COLLEGE, atCollege, retired).status()).isEqualTo(201);

        assertThat(api().post("/api/learners/" + survivor + "/merge", TestTokens.worker(COUNCIL),
                Map.of("otherLearnerId", retired)).status()).isEqualTo(200);

        assertThat(linksOf(survivor, COUNCIL)).containsExactly(atCollege);
        assertThat(linksOf(atCollege, COLLEGE)).containsExactlyInAnyOrder(retired, survivor);
    }

    @Test
    void aRecordMergedIntoAnErasedOneIsNotFoundAndAMergedIntoItselfIsAlreadyLinked() {
        String born = uniqueBirthDate();
        String survivor = register(COUNCIL, "Amara", "Nwosu", born);
        String retired = register(COUNCIL, "Amara", "Nwosu", born);
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
