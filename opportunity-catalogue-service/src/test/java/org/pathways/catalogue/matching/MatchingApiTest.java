package org.pathways.catalogue.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import tools.jackson.databind.JsonNode;

class MatchingApiTest extends OpportunityCatalogueServiceTest {

    private final String goal = "zm" + UUID.randomUUID().toString().replaceAll("[^a-f]", "");

    private Map<String, Object> course(String title, String level, double lat, double lon) {
        Map<String, Object> details = opportunityDetails();
        details.put("title", title + " " + goal);
        details.put("level", level);
        details.put("venues", List.of(Map.of("name", "Hub", "locality", "Harehills", "latitude", lat,
                "longitude", lon)));
        return details;
    }

    private static List<String> codes(JsonNode reasons) {
        return reasons.valueStream().map(r -> r.path("code").asString()).toList();
    }

    @Test
    void matchesAreRankedWithReasonsAndExclusionsAreExplained() {
        Map<String, Object> best = course("Next step", "E3", 53.808, -1.512);
        best.put("accessibility", List.of("CRECHE"));
        best.put("schedule", Map.of("slots", List.of("WEEKDAY_DAYTIME")));
        String bestId = published(COLLEGE, best);
        String sameLevel = published(COLLEGE, course("Same level", "E2", 53.808, -1.512));
        Map<String, Object> adults = course("Adults only", "E3", 53.808, -1.512);
        adults.put("eligibility", Map.of("minAge", 25));
        String adultsId = published(COLLEGE, adults);
        Map<String, Object> needsL1 = course("Needs level 1", "L2", 53.808, -1.512);
        needsL1.put("eligibility", Map.of("priorLevel", "L1"));
        String needsL1Id = published(COLLEGE, needsL1);
        Map<String, Object> full = course("Full", "E3", 53.808, -1.512);
        full.put("capacity", 0);
        String fullId = published(COLLEGE, full);
        Map<String, Object> york = course("In York", "E3", 53.959, -1.081);
        york.put("venues", List.of(Map.of("name", "Hub", "locality", "York", "latitude", 53.959,
                "longitude", -1.081)));
        String yorkId = published(COLLEGE, york);
        Map<String, Object> evenings = course("Evenings", "E3", 53.808, -1.512);
        evenings.put("schedule", Map.of("slots", List.of("WEEKDAY_EVENING")));
        String eveningsId = published(COLLEGE, evenings);

        Map<String, Object> needs = new HashMap<>();
        needs.put("locality", "Harehills");
        needs.put("latitude", 53.80);
        needs.put("longitude", -1.52);
        needs.put("maxDistanceKm", 10);
        needs.put("language", "ar");
        needs.put("level", "E2");
        needs.put("age", 22);
        needs.put("barriers", List.of("CHILDCARE"));
        needs.put("goals", List.of(goal));
        needs.put("availability", List.of("WEEKDAY_DAYTIME"));
        HttpApi.Response response = api().post("/api/matches", TestTokens.worker(COUNCIL), needs);

        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> matches = response.body().path("matches").valueStream()
                .filter(m -> m.path("opportunity").path("title").asString().endsWith(goal)).toList();
        assertThat(matches.stream().map(m -> m.path("opportunity").path("id").asString()))
                .containsExactly(bestId, sameLevel);
        assertThat(codes(matches.getFirst().path("reasons")))
                .contains("GOAL", "NEXT_LEVEL", "LOCAL", "NEARBY", "BARRIER_CHILDCARE", "AVAILABLE");
        Map<String, List<String>> excluded = new HashMap<>();
        response.body().path("excluded").valueStream().forEach(e -> excluded.put(e.path("opportunityId").asString(),
                codes(e.path("reasons"))));
        assertThat(excluded.get(adultsId)).containsExactly("NOT_ELIGIBLE");
        assertThat(excluded.get(needsL1Id)).contains("NOT_ELIGIBLE");
        assertThat(excluded.get(fullId)).containsExactly("FULL");
        assertThat(excluded.get(yorkId)).containsExactly("TOO_FAR");
        assertThat(excluded.get(eveningsId)).containsExactly("NOT_AVAILABLE");
    }

    @Test
    void hostileNeedsAreBadRequests() {
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("locality", Map.of("$gt", "")),
                Map.of("level", "L9"), Map.of("barriers", List.of("DRAGONS")), Map.of("latitude", 10),
                Map.of("age", -1), Map.of("goals", List.of("x".repeat(500))), Map.of("learnerName", "Ann"),
                Map.of("maxDistanceKm", 100000))) {
            HttpApi.Response response = api().post("/api/matches", TestTokens.worker(COUNCIL), bad);
            assertThat(response.status()).as(bad.toString()).isEqualTo(400);
        }
    }
}
