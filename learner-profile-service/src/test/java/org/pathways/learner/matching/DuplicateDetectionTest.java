package org.pathways.learner.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

class DuplicateDetectionTest extends LearnerProfileServiceTest {

    private String register(String agency, Map<String, Object> person) {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency), person);
        assertThat(response.status()).as(response.body().toString()).isEqualTo(201);
        return response.text("id");
    }

    private HttpApi.Response attempt(String agency, Map<String, Object> person) {
        return api().post("/api/learners", TestTokens.worker(agency), person);
    }

    /** The ids of the candidates the caller may see; the others have none. */
    private static List<String> candidateIds(HttpApi.Response response) {
        return response.body().path("candidates").valueStream().filter(c -> c.has("learnerId"))
                .map(c -> c.path("learnerId").asString()).toList();
    }

    private static List<String> matchTokens(HttpApi.Response response) {
        return response.body().path("candidates").valueStream().filter(c -> c.has("matchToken"))
                .map(c -> c.path("matchToken").asString()).toList();
    }

    @Test
    void aNearMissOfSomeoneRegisteredByAnotherAgencyDisclosesNothingOfTheirRecordNotEvenItsId() {
        String born = uniqueBirthDate();
        Map<String, Object> original = uniquePerson("Siobhán", "O'Neill", born);
        original.put("phone", "07700 900456");
        original.put("goals", "Become a nurse");
        String existing = register(HOUSING, original);

        HttpApi.Response response = attempt(COLLEGE, uniquePerson("Siobhan", "ONeil", born));

        assertThat(response.isProblem(409, "possible-duplicate")).isTrue();
        JsonNode candidate = response.body().path("candidates").get(0);
        assertThat(response.body().path("candidates")).hasSize(1);
        assertThat(candidate.path("matchedOn").get(0).asString()).isEqualTo("DATE_OF_BIRTH_AND_NAME");
        assertThat(candidate.path("visibleToYou").asBoolean()).isFalse();
        assertThat(candidate.has("learnerId")).isFalse();
        assertThat(candidate.path("matchToken").asString()).matches("[A-Za-z0-9_-]{43}");
        assertThat(response.body().toString())
                .as("nothing of the other agency's record: no id, name, date of birth or agency")
                .doesNotContain(existing, "O'Neill", "Siobhán", born, "07700", "nurse", HOUSING,
                        original.get("email").toString());
        assertThat(matchTokens(attempt(COLLEGE, uniquePerson("Siobhan", "ONeil", born))))
                .as("a new, unguessable token each time").hasSize(1).doesNotContain(candidate.path("matchToken")
                        .asString());
    }

    @Test
    void realisticNearMissesAreAllFound() {
        String[][] cases = {
                {"Amina", "Okafor", "Aminah", "Okafor"},
                {"Amina", "Okafor", "Okafor", "Amina"},
                {"Zoë", "Brontë", "Zoe", "Bronte"},
                {"Robert", "Fairweather", "Bob", "Fairweather"},
                {"Mohammed", "Rahman", "Mo", "Rahman"},
                {"Elizabeth", "Nwosu", "Liz", "Nwosu"},
                {"Katarzyna", "Wiśniewska", "Katrazyna", "Wisniewska"}};
        for (String[] names : cases) {
            String born = uniqueBirthDate();
            String existing = register(COUNCIL, uniquePerson(names[0], names[1], born));
            HttpApi.Response response = attempt(COLLEGE, uniquePerson(names[2], names[3], born));
            assertThat(response.isProblem(409, "possible-duplicate"))
                    .as(names[2] + " " + names[3] + " ~ " + names[0] + " " + names[1]).isTrue();
            assertThat(matchTokens(response)).as("the council's record, which the college may not see").hasSize(1);
            assertThat(response.body().toString()).doesNotContain(existing);
        }
    }

    @Test
    void aSiblingBornTheSameDayIsNotADuplicate() {
        String born = uniqueBirthDate();
        register(COUNCIL, uniquePerson("Chidi", "Eze", born));
        HttpApi.Response twin = attempt(COUNCIL, uniquePerson("Adaeze", "Eze", born));
        assertThat(twin.status()).isEqualTo(201);
    }

    @Test
    void theSameEmailOrPhoneMatchesWhateverTheName() {
        String email = "shared-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "@Example.org";
        Map<String, Object> first = uniquePerson("Tomasz", "Nowak", uniqueBirthDate());
        first.put("email", email);
        first.put("phone", "+44 7700 9" + (10000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(89999)));
        String existing = register(COLLEGE, first);

        Map<String, Object> sameEmail = uniquePerson("Tom", "Nowak-Smith", uniqueBirthDate());
        sameEmail.put("email", " " + email.toUpperCase() + " ");
        HttpApi.Response byEmail = attempt(COLLEGE, sameEmail);
        assertThat(byEmail.isProblem(409, "possible-duplicate")).isTrue();
        assertThat(byEmail.body().path("candidates").get(0).path("matchedOn").get(0).asString()).isEqualTo("EMAIL");
        assertThat(byEmail.body().path("candidates").get(0).path("visibleToYou").asBoolean()).isTrue();

        Map<String, Object> samePhone = uniquePerson("Someone", "Else", uniqueBirthDate());
        samePhone.put("phone", "0" + first.get("phone").toString().substring(4));
        HttpApi.Response byPhone = attempt(COUNCIL, samePhone);
        assertThat(byPhone.isProblem(409, "possible-duplicate")).isTrue();
        assertThat(candidateIds(byPhone)).as("the college's record, which the council may not see").isEmpty();
        assertThat(matchTokens(byPhone)).hasSize(1);
        assertThat(byPhone.body().toString()).doesNotContain(existing);
    }

    @Test
    void confirmingItIsSomeoneElseRegistersAnyway() {
        String born = uniqueBirthDate();
        register(COUNCIL, uniquePerson("Grace", "Adeyemi", born));
        Map<String, Object> other = uniquePerson("Grace", "Adeyemi", born);
        other.put("confirmNotDuplicate", true);
        assertThat(attempt(COLLEGE, other).status()).isEqualTo(201);
    }

    @Test
    void aWorkerLinksTheNewRecordToAnExistingOneTheirAgencyMaySeeWithoutMergingThem() {
        String born = uniqueBirthDate();
        Map<String, Object> atCouncil = uniquePerson("Abdullah", "Hussain", born);
        atCouncil.put("goals", "Council goal");
        String existing = register(COUNCIL, atCouncil);
        api().post("/api/learners/" + existing + "/consents", TestTokens.worker(COUNCIL),
                Map.of("agencyId", COLLEGE, "purpose", "CONTACT", "method", "VERBAL"));
        HttpApi.Response warned = attempt(COLLEGE, uniquePerson("Abdul", "Hussain", born));
        assertThat(candidateIds(warned)).as("a record the college may see is named").containsExactly(existing);
        Map<String, Object> atCollege = uniquePerson("Abdul", "Hussain", born);
        atCollege.put("confirmNotDuplicate", true);
        String created = register(COLLEGE, atCollege);

        HttpApi.Response linked = api().post("/api/learners/" + created + "/links", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", existing));

        assertThat(linked.status()).isEqualTo(201);
        assertThat(linked.body().path("linkedLearnerIds").get(0).asString()).isEqualTo(existing);
        assertThat(linked.text("familyName")).isEqualTo("Hussain");
        assertThat(linked.body().toString()).as("not merged").doesNotContain("Council goal");
        HttpApi.Response councilView = api().get("/api/learners/" + existing, TestTokens.worker(COUNCIL));
        assertThat(councilView.text("goals")).isEqualTo("Council goal");
        assertThat(councilView.body().path("otherLinkedRecords").asInt())
                .as("linked both ways, but the council may not see the college's record").isEqualTo(1);
        assertThat(api().get("/api/learners/" + created, TestTokens.worker(COUNCIL)).status())
                .as("a link opens nothing").isEqualTo(404);

        assertThat(api().post("/api/learners/" + created + "/links", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", existing)).isProblem(409, "already-linked")).isTrue();
        assertThat(api().post("/api/learners/" + created + "/links", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", created)).isProblem(422, "link-to-itself")).isTrue();
        assertThat(api().post("/api/learners/" + created + "/links", TestTokens.worker(COLLEGE),
                Map.of("otherLearnerId", "lrn-nobody")).isProblem(404, "not-found")).isTrue();
        assertThat(api().post("/api/learners/" + created + "/links", TestTokens.worker(COLLEGE),
                "{\"otherLearnerId\": {\"$ne\": null}}").status()).isEqualTo(400);
    }

    @Test
    void aDuplicateMatchIsAuditedOnTheMatchedRecordWithoutNamingWhoAsked() {
        String born = uniqueBirthDate();
        String existing = register(COUNCIL, uniquePerson("Precious", "Moyo", born));
        attempt(COLLEGE, uniquePerson("Precious", "Moyo", born));

        // The council learns that its record was matched, not that the college was about to take the person on
        // (a record planted with someone's phone number would otherwise report every agency they approach).
        HttpApi.Response trail = api().get("/api/learners/" + existing + "/audit", TestTokens.worker(COUNCIL));
        List<JsonNode> matches = trail.body().valueStream()
                .filter(e -> e.path("action").asString().equals("DUPLICATE_MATCH")).toList();
        assertThat(matches).hasSize(1);
        assertThat(matches.getFirst().toString()).doesNotContain(COLLEGE).doesNotContain("worker-" + COLLEGE);
        // Kept whole in the trail itself, for the partnership's data protection officer.
        assertThat(mongo.findOne(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("learnerId").is(existing)
                        .and("action").is("DUPLICATE_MATCH")), org.bson.Document.class, "audit").getString("agencyId"))
                .isEqualTo(COLLEGE);
    }
}
