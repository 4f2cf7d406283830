package org.pathways.learner.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.pathways.learner.LearnerProfileServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /api/learners?q=}: a worker finds the learners its agency may see, and no others, each as the profile
 * read would show it, every one audited.
 */
class LearnerSearchTest extends LearnerProfileServiceTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    /** Agencies of this test run only, so other tests' learners never share a result list. */
    private final String own = "agency-search-" + UUID.randomUUID();
    private final String stranger = "agency-search-" + UUID.randomUUID();

    private record Page(int status, List<JsonNode> learners, String next, String body) {
    }

    private Page search(String path, String token) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(api().request(path, token).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            String next = response.headers().firstValue("Link").map(link -> {
                Matcher matcher = NEXT.matcher(link);
                assertThat(matcher.find()).as(link).isTrue();
                return matcher.group(1);
            }).orElse(null);
            List<JsonNode> learners = response.statusCode() == 200
                    ? HttpApi.JSON.readTree(response.body()).valueStream().toList() : List.of();
            return new Page(response.statusCode(), learners, next, response.body());
        }
    }

    private List<JsonNode> found(String q, String agency) throws Exception {
        Page page = search("/api/learners?q=" + URLEncoder.encode(q, StandardCharsets.UTF_8),
                TestTokens.worker(agency));
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        return page.learners();
    }

    private static List<String> ids(List<JsonNode> learners) {
        return learners.stream().map(learner -> learner.path("id").asString()).toList();
    }

    /** A family name no other test uses: letters only, as names are. */
    private static String uniqueFamilyName() {
        StringBuilder name = new StringBuilder("Quill");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 10; i++) {
            name.append((char) ('a' + random.nextInt(26)));
        }
        return name.toString();
    }

    private String register(String agency, String givenName, String familyName, String dateOfBirth) {
        HttpApi.Response response = api().post("/api/learners", TestTokens.worker(agency),
                withConfirmation(uniquePerson(givenName, familyName, dateOfBirth)));
        assertThat(response.status()).as(String.valueOf(response.body())).isEqualTo(201);
        return response.text("id");
    }

    private static Map<String, Object> withConfirmation(Map<String, Object> details) {
        details.put("confirmNotDuplicate", true);
        return details;
    }

    @Test
    void aStrangerAgencysLearnersNeverAppearEvenWithAnExactMatch() throws Exception {
        String family = uniqueFamilyName();
        String birth = uniqueBirthDate();
        String id = register(own, "Zoë", family, birth);

        assertThat(found("Zoë " + family, stranger)).isEmpty();
        assertThat(found(family, stranger)).isEmpty();
        assertThat(found(id, stranger)).isEmpty();
        assertThat(found(birth, stranger)).isEmpty();

        assertThat(ids(found("zoe " + family.substring(0, 7).toUpperCase(), own)))
                .as("case- and accent-insensitive prefixes of given and family name").containsExactly(id);
        assertThat(ids(found(id, own))).containsExactly(id);
        assertThat(ids(found(birth, own))).contains(id);
        JsonNode learner = found(family, own).getFirst();
        assertThat(learner.path("givenName").asString()).isEqualTo("Zoë");
        assertThat(learner.path("dateOfBirth").asString()).isEqualTo(birth);
        assertThat(learner.path("registeringAgencyId").asString()).isEqualTo(own);
        assertThat(found("Zoë Someoneelse" + family, own)).as("every word must match").isEmpty();
    }

    @Test
    void aLearnerFromAnotherAgencyAppearsWhileTheirConsentIsInForceShapedAsTheProfileReadShowsIt() throws Exception {
        String family = uniqueFamilyName();
        String birth = uniqueBirthDate();
        String id = register(stranger, "Amira", family, birth);
        HttpApi.Response consent = api().post("/api/learners/" + id + "/consents", TestTokens.worker(stranger),
                Map.of("agencyId", own, "purpose", "CONTACT", "method", "VERBAL"));
        assertThat(consent.status()).isEqualTo(201);

        List<JsonNode> found = found("amira " + family, own);

        assertThat(ids(found)).containsExactly(id);
        JsonNode learner = found.getFirst();
        assertThat(learner.path("sharedFor").valueStream().map(JsonNode::asString).toList()).containsExactly("CONTACT");
        assertThat(learner.path("dateOfBirth").isNull()).as("not shared for contact").isTrue();
        assertThat(learner.path("email").asString()).startsWith("p-");
        assertThat(found(birth, own)).as("a date of birth it may not see finds nothing").isEmpty();
        List<String> trail = api().get("/api/learners/" + id + "/audit", TestTokens.worker(stranger)).body()
                .valueStream().filter(entry -> entry.path("action").asString().equals("FIND_LEARNER"))
                .map(entry -> entry.path("agencyId").asString() + " " + entry.path("grounds").get(0).asString())
                .toList();
        assertThat(trail).containsExactly(own + " consent:" + consent.text("id"));

        HttpApi.Response withdrawn = api().delete("/api/learners/" + id + "/consents/" + consent.text("id"),
                TestTokens.worker(stranger));
        assertThat(withdrawn.status()).isEqualTo(200);
        assertThat(found("amira " + family, own)).as("once the consent is withdrawn").isEmpty();
    }

    @Test
    void resultsComeInPagesFollowingTheNextLinkWithoutGapsOrRepeats() throws Exception {
        String family = uniqueFamilyName();
        List<String> registered = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            registered.add(register(own, "Sam", family, uniqueBirthDate()));
        }
        register(stranger, "Sam", family, uniqueBirthDate());

        Page first = search("/api/learners?q=" + family + "&limit=2", TestTokens.worker(own));
        assertThat(first.learners()).hasSize(2);
        assertThat(first.next()).startsWith("/api/learners?q=" + family + "&cursor=").endsWith("&limit=2");
        List<JsonNode> followed = new ArrayList<>(first.learners());
        String next = first.next();
        int pages = 1;
        while (next != null) {
            Page page = search(next, TestTokens.worker(own));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            followed.addAll(page.learners());
            next = page.next();
            pages++;
        }

        assertThat(pages).isEqualTo(3);
        assertThat(ids(followed)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(registered);
    }

    @Test
    void badParametersAreProblemsAndOnlyWorkersAndSystemsSearch() throws Exception {
        String worker = TestTokens.worker(own);
        for (String path : List.of("/api/learners", "/api/learners?q=a", "/api/learners?q=%20b%20",
                "/api/learners?q=2001-02-30", "/api/learners?q=ab&limit=0", "/api/learners?q=ab&limit=101",
                "/api/learners?q=ab&limit=x", "/api/learners?q=ab&cursor=%21%21", "/api/learners?q=a%01b")) {
            HttpApi.Response response = get(path, worker);
            assertThat(response.status()).as(path + " " + response.body()).isEqualTo(400);
            assertThat(response.contentType()).as(path).startsWith("application/problem+json");
        }
        String family = uniqueFamilyName();
        register(own, "Rhys", family, uniqueBirthDate());
        assertThat(get("/api/learners?q=" + family, TestTokens.token("coordinator-1", own, Role.COORDINATOR))
                .isProblem(403, "forbidden")).isTrue();
        assertThat(get("/api/learners?q=" + family, TestTokens.token("system-1", own, Role.AGENCY_SYSTEM))
                .body()).hasSize(1);
    }

    @Test
    void whenTheAuditCannotBeWrittenNoResultIsAnswered() throws Exception {
        String family = uniqueFamilyName();
        String id = register(own, "Nia", family, uniqueBirthDate());
        try (var refused = StoreFaults.refuseWrites(
                mongo.getCollectionName(org.pathways.learner.audit.AuditEntry.class), "learnerId", id)) {
            HttpApi.Response response = get("/api/learners?q=" + family, TestTokens.worker(own));
            assertThat(response.isProblem(503, "audit-unavailable")).as(String.valueOf(response.body())).isTrue();
            assertThat(response.body().toString()).doesNotContain(family, id);
        }
        assertThat(ids(found(family, own))).containsExactly(id);
    }
}
