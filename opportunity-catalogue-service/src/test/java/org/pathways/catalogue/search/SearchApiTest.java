package org.pathways.catalogue.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

class SearchApiTest extends OpportunityCatalogueServiceTest {

    /** A word no other test uses, so the seeded catalogue is this test's own. */
    private final String word = "zq" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");

    private Map<String, Object> opportunity(String title, String description, List<String> terms, String locality,
                                            double lat, double lon) {
        Map<String, Object> details = opportunityDetails();
        details.put("title", title);
        details.put("description", description);
        details.put("terms", terms);
        details.put("venues", List.of(Map.of("name", "Venue", "locality", locality, "latitude", lat,
                "longitude", lon)));
        return details;
    }

    private List<String> ids(String query) {
        HttpApi.Response response = api().get("/api/opportunities?" + query, TestTokens.worker(COUNCIL));
        assertThat(response.status()).as(query).isEqualTo(200);
        return response.body().path("items").valueStream().map(i -> i.path("id").asString()).toList();
    }

    @Test
    void textIsRankedTitleFirstThenTermsThenDescription() {
        String inDescription = published(COLLEGE, opportunity("Maths", "Includes some " + word + " practice.",
                List.of(), "Leeds", 53.8, -1.55));
        String inTitle = published(COLLEGE, opportunity(word + " for beginners", "", List.of(), "Leeds", 53.8, -1.55));
        String inTerms = published(COLLEGE, opportunity("Conversation club", "", List.of(word), "Leeds", 53.8,
                -1.55));
        String unrelated = published(COLLEGE, opportunity("Cooking", "Food.", List.of(), "Leeds", 53.8, -1.55));

        HttpApi.Response response = api().get("/api/opportunities?q=" + word, TestTokens.worker(COUNCIL));

        assertThat(ids("q=" + word)).containsExactly(inTitle, inTerms, inDescription).doesNotContain(unrelated);
        JsonNode first = response.body().path("items").path(0);
        assertThat(first.path("score").asDouble()).isGreaterThan(response.body().path("items").path(1)
                .path("score").asDouble());
        assertThat(first.path("title").asString()).startsWith(word);
        assertThat(ids("q=" + word.toUpperCase() + "s")).as("case and plural folded").hasSize(3);
    }

    @Test
    void filtersCombineAndDistanceIsMeasuredFromAPoint() {
        String locality = "Loc" + word;
        Map<String, Object> near = opportunity("Near " + word, "", List.of(), locality, 53.8008, -1.5491);
        near.put("accessibility", List.of("STEP_FREE", "CRECHE"));
        near.put("languages", List.of("en", "pl"));
        near.put("schedule", Map.of("startsOn", "2027-02-01"));
        near.put("costPence", 0);
        String nearId = published(COLLEGE, near);
        Map<String, Object> paid = new java.util.HashMap<>(near);
        paid.put("costPence", 5000);
        String paidId = published(COLLEGE, paid);
        Map<String, Object> far = opportunity("Far " + word, "", List.of(), "York", 53.9590, -1.0815);
        far.put("schedule", Map.of("startsOn", "2027-06-01"));
        far.put("costPence", 1500);
        String farId = published(COLLEGE, far);
        Map<String, Object> full = new java.util.HashMap<>(near);
        full.put("capacity", 0);
        String fullId = published(COLLEGE, full);

        assertThat(ids("q=" + word + "&locality=" + locality)).containsExactlyInAnyOrder(nearId, paidId, fullId);
        assertThat(ids("q=" + word + "&free=true&hasPlaces=true")).containsExactly(nearId);
        assertThat(ids("q=" + word + "&accessibility=STEP_FREE&accessibility=CRECHE&language=pl&hasPlaces=true"))
                .containsExactlyInAnyOrder(nearId, paidId);
        assertThat(ids("q=" + word + "&startsBefore=2027-03-01")).containsExactlyInAnyOrder(nearId, paidId, fullId);
        assertThat(ids("q=" + word + "&startsAfter=2027-03-01")).containsExactly(farId);
        assertThat(ids("q=" + word + "&kind=FORMAL_LEARNING&level=E2&lat=53.80&lon=-1.55&withinKm=5"))
                .containsExactlyInAnyOrder(nearId, paidId, fullId);
        // York is about 34 km from Leeds: within 50 km it comes last (sorted nearest first without text).
        List<String> byDistance = ids("lat=53.80&lon=-1.55&withinKm=50&locality=&kind=FORMAL_LEARNING&language=");
        assertThat(byDistance).contains(nearId, farId);
        assertThat(byDistance.indexOf(nearId)).isLessThan(byDistance.indexOf(farId));
        JsonNode hit = api().get("/api/opportunities?q=" + word + "&lat=53.80&lon=-1.55&withinKm=50",
                TestTokens.worker(COUNCIL)).body().path("items").valueStream()
                .filter(i -> i.path("id").asString().equals(farId)).findFirst().orElseThrow();
        assertThat(hit.path("distanceKm").asDouble()).isBetween(30.0, 40.0);
    }

    @Test
    void aCursorWalksEveryResultOnceInOrder() {
        List<String> seeded = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seeded.add(published(COUNCIL, opportunity("Paged " + word + " " + i, "", List.of(), "Leeds", 53.8,
                    -1.55)));
        }
        for (String query : List.of("q=" + word, "q=" + word + "&lat=53.8&lon=-1.55", "locality=leeds&kind=FORMAL_LEARNING")) {
            List<String> walked = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = api().get("/api/opportunities?" + query + "&limit=3"
                        + (cursor == null ? "" : "&cursor=" + cursor), TestTokens.worker(COUNCIL)).body();
                page.path("items").valueStream().forEach(i -> walked.add(i.path("id").asString()));
                cursor = page.path("nextCursor").isString() ? page.path("nextCursor").asString() : null;
                pages++;
            } while (cursor != null && pages < 200);
            assertThat(walked).as(query).doesNotHaveDuplicates().containsAll(seeded);
        }
    }

    @Test
    void hostileSearchesAreBadRequests() {
        String token = TestTokens.worker(COUNCIL);
        for (String query : List.of("cursor=notacursor", "cursor=%7B%22%24gt%22%3A1%7D", "lat=91&lon=0",
                "lat=50", "withinKm=-1&lat=1&lon=1", "startsAfter=tomorrow", "hasPlaces=maybe",
                "accessibility=JETPACK", "limit=0", "limit=1000", "language=English", "q=" + "x".repeat(500),
                "lat=%7B%24gt%7D&lon=1")) {
            HttpApi.Response response = api().get("/api/opportunities?" + query, token);
            assertThat(response.status()).as(query).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }
}
