package org.pathways.catalogue.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.platform.security.Role;
import org.pathways.testing.EventProducer;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;

/**
 * Search on the Lucene index, through the API: stemming, typos, Welsh, distance, facets, cursors; what is withdrawn,
 * ended or deleted disappears; a change made elsewhere arrives through the opportunity topic; a pending agency's
 * opportunities are never listed. Each test keeps to its own locality (or word), so the shared store's other
 * opportunities do not disturb it.
 */
class SearchEngineTest extends OpportunityCatalogueServiceTest {

    private static EventProducer producer;

    @Autowired
    MongoTemplate mongo;

    private final String place = "Loc" + UUID.randomUUID().toString().replaceAll("[^a-z]", "");

    @BeforeAll
    static void producer() {
        producer = new EventProducer();
    }

    @AfterAll
    static void closeProducer() {
        producer.close();
    }

    private Map<String, Object> details(String title, String description) {
        Map<String, Object> details = opportunityDetails();
        details.put("title", title);
        details.put("description", description);
        details.put("venues", List.of(Map.of("name", "Hub", "locality", place, "latitude", 53.8008,
                "longitude", -1.5491)));
        return details;
    }

    private JsonNode search(String query) {
        HttpApi.Response response = api().get("/api/opportunities?locality=" + place + "&" + query,
                TestTokens.worker(COUNCIL));
        assertThat(response.status()).as(query).isEqualTo(200);
        return response.body();
    }

    private List<String> ids(String query) {
        return search(query).path("items").valueStream().map(i -> i.path("id").asString()).toList();
    }

    @Test
    void aWordFindsItsOtherFormsThroughEnglishStemming() {
        String cooking = published(COLLEGE, details("Cooking on a budget", "Healthy meals for families."));
        String unrelated = published(COLLEGE, details("Maths for work", "Numbers at work."));

        assertThat(ids("q=cook")).containsExactly(cooking);
        assertThat(ids("q=cooks")).containsExactly(cooking);
        assertThat(ids("q=meal")).containsExactly(cooking);
        assertThat(ids("q=FAMILY")).as("case and plural").containsExactly(cooking);
        assertThat(ids("q=working")).containsExactly(unrelated);
    }

    @Test
    void aTypoStillFindsTheOpportunityButBelowAnExactMatch() {
        String gardening = published(COLLEGE, details("Gardening club", "Grow vegetables together."));
        published(COLLEGE, details("Maths for work", "Numbers at work."));

        assertThat(ids("q=gardning")).as("a letter missing").containsExactly(gardening);
        assertThat(ids("q=vegetbales")).as("two letters swapped").containsExactly(gardening);
        assertThat(ids("q=vegitabels")).as("two edits in a long word").containsExactly(gardening);
        assertThat(ids("q=xylophone")).isEmpty();

        String exact = published(COLLEGE, details("Garden design", "Plan a garden."));
        assertThat(ids("q=garden")).as("gardens and gardening are garden too").startsWith(exact)
                .contains(gardening);
        JsonNode typo = search("q=gardan").path("items");
        assertThat(typo.valueStream().map(i -> i.path("id").asString())).contains(exact);
        assertThat(search("q=garden").path("items").path(0).path("score").asDouble())
                .as("an exact match scores above a near spelling's")
                .isGreaterThan(typo.path(0).path("score").asDouble());
    }

    @Test
    void welshTextIsFoundWhateverTheMutation() {
        String text = "Gŵyl ddysgu a thaith gerdded bob wythnos.";
        Map<String, Object> welsh = details("Cwrs Cymraeg i ddechreuwyr yng Nghaerdydd", text);
        welsh.put("languages", List.of("cy", "en"));
        String inWelsh = published(COLLEGE, welsh);
        Map<String, Object> english = details("Cwrs Cymraeg i ddechreuwyr yng Nghaerdydd", text);
        english.put("languages", List.of("en"));
        String notTaughtInWelsh = published(COLLEGE, english);

        assertThat(ids("q=Cymraeg")).containsExactlyInAnyOrder(inWelsh, notTaughtInWelsh);
        assertThat(ids("q=gymraeg")).as("soft mutation (yn Gymraeg) finds the radical").containsExactly(inWelsh);
        assertThat(ids("q=Caerdydd")).as("nasal mutation (yng Nghaerdydd) undone").containsExactly(inWelsh);
        assertThat(ids("q=cerdded")).as("soft mutation in the text (gerdded)").containsExactly(inWelsh);
        assertThat(ids("q=gwyl")).as("ŵ folded").containsExactlyInAnyOrder(inWelsh, notTaughtInWelsh);
        // dd → d keeps the first letter, so a near spelling finds the English-only one too, but below.
        assertThat(ids("q=dechreuwyr")).as("dd → d").containsExactly(inWelsh, notTaughtInWelsh);
    }

    @Test
    void distanceFiltersFromTheNearestVenueAndSortsNearestFirst() {
        Map<String, Object> twoVenues = details("Two venues", "");
        twoVenues.put("venues", List.of(Map.of("name", "York", "locality", place, "latitude", 53.9590,
                        "longitude", -1.0815),
                Map.of("name", "Leeds", "locality", place, "latitude", 53.8008, "longitude", -1.5491)));
        String both = published(COLLEGE, twoVenues);
        Map<String, Object> york = details("York only", "");
        york.put("venues", List.of(Map.of("name", "York", "locality", place, "latitude", 53.9590,
                "longitude", -1.0815)));
        String yorkOnly = published(COLLEGE, york);
        Map<String, Object> bradford = details("Bradford only", "");
        bradford.put("venues", List.of(Map.of("name", "Bradford", "locality", place, "latitude", 53.7960,
                "longitude", -1.7594)));
        String bradfordOnly = published(COLLEGE, bradford);

        assertThat(ids("lat=53.80&lon=-1.55&withinKm=5")).containsExactly(both);
        assertThat(ids("lat=53.80&lon=-1.55&withinKm=50")).containsExactly(both, bradfordOnly, yorkOnly);
        JsonNode items = search("lat=53.80&lon=-1.55&withinKm=50").path("items");
        assertThat(items.path(0).path("distanceKm").asDouble()).as("from the nearer venue").isLessThan(1.0);
        assertThat(items.path(1).path("distanceKm").asDouble()).isBetween(12.0, 16.0);
        assertThat(items.path(2).path("distanceKm").asDouble()).isBetween(30.0, 40.0);
        assertThat(ids("q=only&lat=53.96&lon=-1.08&withinKm=50"))
                .as("relevance ties go to the nearer").containsExactly(yorkOnly, bradfordOnly);
    }

    @Test
    void facetsCountTheWholeResultByKindLevelLocalityLanguageAndAccessibility() {
        for (int i = 0; i < 3; i++) {
            Map<String, Object> esol = details("ESOL class " + i, "");
            esol.put("accessibility", List.of("STEP_FREE", "CRECHE"));
            esol.put("languages", List.of("en", "pl"));
            published(COLLEGE, esol);
        }
        Map<String, Object> advice = details("Debt advice", "");
        advice.put("kind", "ADVICE");
        advice.remove("level");
        advice.put("accessibility", List.of("STEP_FREE"));
        published(COUNCIL, advice);

        JsonNode page = search("limit=1");

        assertThat(page.path("items").size()).isEqualTo(1);
        assertThat(page.path("total").asLong()).isEqualTo(4);
        JsonNode facets = page.path("facets");
        assertThat(facets.path("kind").path("FORMAL_LEARNING").asLong()).isEqualTo(3);
        assertThat(facets.path("kind").path("ADVICE").asLong()).isEqualTo(1);
        assertThat(facets.path("level").path("E2").asLong()).isEqualTo(3);
        assertThat(facets.path("locality").path(place.toLowerCase()).asLong()).isEqualTo(4);
        assertThat(facets.path("language").path("en").asLong()).isEqualTo(4);
        assertThat(facets.path("language").path("pl").asLong()).isEqualTo(3);
        assertThat(facets.path("accessibility").path("STEP_FREE").asLong()).isEqualTo(4);
        assertThat(facets.path("accessibility").path("CRECHE").asLong()).isEqualTo(3);
        JsonNode filtered = search("kind=ADVICE").path("facets");
        assertThat(filtered.path("kind").path("ADVICE").asLong()).as("counts follow the filters").isEqualTo(1);
        assertThat(filtered.path("kind").has("FORMAL_LEARNING")).isFalse();
    }

    @Test
    void cursorsPageThroughEveryOrderAndACursorOfAnotherQueryIsRefused() {
        List<String> seeded = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seeded.add(published(COLLEGE, details("Paged course " + i, "course")));
        }
        for (String query : List.of("q=course", "lat=53.8&lon=-1.55", "q=course&lat=53.8&lon=-1.55", "kind=")) {
            List<String> walked = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = search(query + "&limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
                page.path("items").valueStream().forEach(i -> walked.add(i.path("id").asString()));
                assertThat(page.path("total").asLong()).as("total on every page").isEqualTo(5);
                cursor = page.path("nextCursor").isString() ? page.path("nextCursor").asString() : null;
                pages++;
            } while (cursor != null && pages < 10);
            assertThat(walked).as(query).hasSize(5).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(seeded);
            assertThat(pages).isEqualTo(3);
        }
        String textCursor = search("q=course&limit=2").path("nextCursor").asString();
        assertThat(api().get("/api/opportunities?locality=" + place + "&limit=2&cursor=" + textCursor,
                TestTokens.worker(COUNCIL)).isProblem(400, "bad-cursor")).as("a text cursor for a newest-first page")
                .isTrue();
    }

    @Test
    void aWithdrawnOrEndedOpportunityDisappearsFromTheNextSearch() {
        String withdrawn = published(COLLEGE, details("Pottery", ""));
        String ended = published(COLLEGE, details("Pottery evenings", ""));
        assertThat(ids("q=pottery")).containsExactlyInAnyOrder(withdrawn, ended);

        assertThat(withdraw(withdrawn, COLLEGE).status()).isEqualTo(200);
        assertThat(ids("q=pottery")).as("at once, on this instance").containsExactly(ended);
        assertThat(api().post("/api/opportunities/" + ended + "/end", TestTokens.worker(COLLEGE), "").status())
                .isEqualTo(200);
        assertThat(ids("q=pottery")).isEmpty();
    }

    @Test
    void aChangeMadeByAnotherInstanceArrivesThroughTheOpportunityTopic() {
        String renamed = published(COLLEGE, details("Woodwork", ""));
        String deleted = published(COLLEGE, details("Woodwork tools", ""));
        assertThat(ids("q=woodwork")).containsExactlyInAnyOrder(renamed, deleted);

        // Another instance's writes: straight to the store, which this instance does not watch...
        mongo.updateFirst(Query.query(Criteria.where("_id").is(renamed)),
                new Update().set("title", "Upholstery").inc("version", 1), "opportunities");
        mongo.remove(Query.query(Criteria.where("_id").is(deleted)), "opportunities");
        assertThat(ids("q=upholstery")).as("not yet told").isEmpty();
        assertThat(ids("q=woodwork")).containsExactlyInAnyOrder(renamed, deleted);

        // ...and the events that instance's outbox publishes.
        producer.publishRaw(Topic.OPPORTUNITIES.topicName(), "org.pathways.opportunity.updated.v1", renamed,
                Map.of("opportunityId", renamed));
        producer.publishRaw(Topic.OPPORTUNITIES.topicName(), "org.pathways.opportunity.withdrawn.v1", deleted,
                Map.of("opportunityId", deleted));

        await().atMost(EVENT_DEADLINE).untilAsserted(() -> {
            assertThat(ids("q=upholstery")).containsExactly(renamed);
            assertThat(ids("q=woodwork")).isEmpty();
        });
    }

    @Test
    void aPendingAgencysOpportunitiesAreListedOnlyOnceItIsApproved() {
        String agency = "agency-" + UUID.randomUUID();
        assertThat(api().post("/api/agencies", TestTokens.worker(agency), Map.of("name", "New Provider",
                "sector", "VOLUNTARY", "kind", "COMMUNITY_GROUP", "localities", List.of(place),
                "acceptsDirectReferrals", true)).status()).isEqualTo(201);
        String pending = published(agency, details("Singing for wellbeing", ""));
        String approved = published(COLLEGE, details("Singing lessons", ""));

        assertThat(ids("q=singing")).containsExactly(approved);
        assertThat(search("").path("facets").path("kind").path("FORMAL_LEARNING").asLong())
                .as("not counted either").isEqualTo(1);
        Map<String, Object> match = new HashMap<>();
        match.put("goals", List.of("singing"));
        match.put("locality", place);
        assertThat(api().post("/api/matches", TestTokens.worker(COUNCIL), match).body().path("matches")
                .valueStream().map(m -> m.path("opportunity").path("id").asString()).toList())
                .doesNotContain(pending);

        long version = api().get("/api/agencies/" + agency, TestTokens.worker(agency)).body().path("version")
                .asLong();
        assertThat(put("/api/agencies/" + agency + "/kind", TestTokens.token("platform-admin", "agency-platform",
                Role.PLATFORM_ADMIN), Map.of("kind", "COMMUNITY_GROUP", "sector", "VOLUNTARY", "version", version),
                null).status()).isEqualTo(200);

        await().atMost(EVENT_DEADLINE).untilAsserted(() ->
                assertThat(ids("q=singing")).containsExactlyInAnyOrder(approved, pending));
    }

    @Test
    void matchingFindsGoalsThroughTheSameIndex() {
        String cooking = published(COLLEGE, details("Cooking on a budget", "Healthy meals."));
        Map<String, Object> needs = new HashMap<>();
        needs.put("goals", List.of("cook"));
        needs.put("locality", place);
        JsonNode stemmed = api().post("/api/matches", TestTokens.worker(COUNCIL), needs).body();
        assertThat(stemmed.path("matches").valueStream().map(m -> m.path("opportunity").path("id").asString()))
                .contains(cooking);
        needs.put("goals", List.of("cookery meels"));
        JsonNode typo = api().post("/api/matches", TestTokens.worker(COUNCIL), needs).body();
        assertThat(typo.path("matches").valueStream().map(m -> m.path("opportunity").path("id").asString()))
                .contains(cooking);
    }
}
