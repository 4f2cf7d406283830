package org.pathways.catalogue.pathway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import tools.jackson.databind.JsonNode;

class PathwaysApiTest extends OpportunityCatalogueServiceTest {

    private static TopicRecorder opportunityTopic;

    @BeforeAll
    static void listen() {
        opportunityTopic = new TopicRecorder(Topic.OPPORTUNITIES.topicName());
    }

    @AfterAll
    static void stopListening() {
        opportunityTopic.close();
    }

    private static List<String> leadsTo(ConsumerRecord<String, byte[]> record) {
        return cloudEvent(record).path("data").path("leadsTo").valueStream().map(JsonNode::asString).toList();
    }

    private String step(String agency, String title, String level) {
        Map<String, Object> details = opportunityDetails();
        details.put("title", title);
        details.put("level", level);
        return published(agency, details);
    }

    private HttpApi.Response route(String from, String to, String agency) {
        return api().post("/api/opportunities/" + from + "/routes", TestTokens.worker(agency),
                Map.of("toOpportunityId", to));
    }

    private static List<List<String>> paths(JsonNode found) {
        return found.path("pathways").valueStream()
                .map(path -> path.valueStream().map(step -> step.path("id").asString()).toList()).toList();
    }

    @Test
    void onwardRoutesAndThePathwaysBetweenTwoOpportunitiesShortestFirst() {
        String confidence = step(COUNCIL, "Confidence building", null);
        String entry2 = step(COLLEGE, "Entry 2 English", "E2");
        String level1 = step(COLLEGE, "Level 1 Functional Skills", "L1");
        String level2 = step(COLLEGE, "Level 2 Certificate", "L2");
        assertThat(route(confidence, entry2, COUNCIL).status()).isEqualTo(200);
        route(entry2, level1, COLLEGE);
        route(level1, level2, COLLEGE);
        route(confidence, level1, COUNCIL);
        route(level2, confidence, COLLEGE); // a cycle must not loop
        assertThat(route(confidence, entry2, COUNCIL).body().path("leadsTo").size()).as("idempotent").isEqualTo(2);

        JsonNode onward = api().get("/api/opportunities/" + confidence + "/onward", TestTokens.worker(COLLEGE))
                .body();
        assertThat(onward.path("leadsTo").valueStream().map(s -> s.path("id").asString()))
                .containsExactlyInAnyOrder(entry2, level1);
        assertThat(onward.path("leadsTo").valueStream().map(s -> s.path("title").asString()))
                .contains("Entry 2 English");
        assertThat(onward.path("ledOnFrom").valueStream().map(s -> s.path("id").asString())).containsExactly(level2);
        JsonNode deep = api().get("/api/opportunities/" + confidence + "/onward?depth=3", TestTokens.worker(COLLEGE))
                .body();
        assertThat(deep.path("reachable").valueStream()
                .map(r -> r.path("routes").asInt() + ":" + r.path("opportunity").path("id").asString()))
                .containsExactlyInAnyOrder("1:" + entry2, "1:" + level1, "2:" + level2);
        assertThat(api().get("/api/opportunities/" + confidence + "/onward?depth=0", TestTokens.worker(COLLEGE))
                .status()).isEqualTo(400);

        JsonNode found = api().get("/api/pathways?from=" + confidence + "&to=" + level2, TestTokens.worker(COLLEGE))
                .body();
        assertThat(paths(found)).containsExactly(List.of(confidence, level1, level2),
                List.of(confidence, entry2, level1, level2));
        assertThat(paths(api().get("/api/pathways?from=" + confidence + "&to=" + level2 + "&maxSteps=2",
                TestTokens.worker(COLLEGE)).body())).containsExactly(List.of(confidence, level1, level2));
        assertThat(paths(api().get("/api/pathways?from=" + level2 + "&to=" + entry2, TestTokens.worker(COLLEGE))
                .body())).containsExactly(List.of(level2, confidence, entry2));
    }

    @Test
    void changingTheRoutesOfAPublishedOpportunityAnnouncesItsFullListOfRoutes() {
        String entry2 = step(COLLEGE, "Entry 2 English", "E2");
        String level1 = step(COLLEGE, "Level 1 Functional Skills", "L1");
        String volunteering = step(COUNCIL, "Library volunteering", null);
        String confidence = draft(COUNCIL);
        // Routes on a draft announce nothing: its publication carries them.
        assertThat(route(confidence, entry2, COUNCIL).status()).isEqualTo(200);
        assertThat(publish(confidence, COUNCIL).status()).isEqualTo(200);
        List<ConsumerRecord<String, byte[]>> published = opportunityTopic.await(
                r -> isOfType(r, confidence, EventType.OPPORTUNITY_PUBLISHED.type()), 1, EVENT_DEADLINE);
        assertThat(leadsTo(published.getFirst())).containsExactly(entry2);

        route(confidence, level1, COUNCIL);
        route(confidence, level1, COUNCIL);                  // a repeat: nothing to announce
        route(confidence, volunteering, COUNCIL);
        assertThat(api().delete("/api/opportunities/" + confidence + "/routes/" + entry2, TestTokens.worker(COUNCIL))
                .status()).isEqualTo(200);
        api().delete("/api/opportunities/" + confidence + "/routes/" + entry2, TestTokens.worker(COUNCIL));

        List<ConsumerRecord<String, byte[]>> updates = opportunityTopic.await(
                r -> isOfType(r, confidence, EventType.OPPORTUNITY_UPDATED.type()), 3, EVENT_DEADLINE);
        assertThat(updates.stream().map(PathwaysApiTest::leadsTo)).containsExactly(
                List.of(entry2, level1), List.of(entry2, level1, volunteering), List.of(level1, volunteering));
        JsonNode last = cloudEvent(updates.getLast()).path("data");
        assertThat(last.path("status").asString()).isEqualTo("PUBLISHED");
        assertThat(last.path("providerAgencyId").asString()).isEqualTo(COUNCIL);
        // A marker: one more real change, so that the repeats above are proven to have announced nothing.
        route(confidence, entry2, COUNCIL);
        assertThat(opportunityTopic.await(r -> isOfType(r, confidence, EventType.OPPORTUNITY_UPDATED.type()), 4,
                EVENT_DEADLINE).stream().map(PathwaysApiTest::leadsTo).toList().getLast())
                .containsExactly(level1, volunteering, entry2);
        assertThat(opportunityTopic.recorded(r -> isOfType(r, confidence, EventType.OPPORTUNITY_UPDATED.type())))
                .hasSize(4);
    }

    @Test
    void onlyTheProviderAddsRoutesAndOnlyToWhatItMaySee() {
        String mine = step(COLLEGE, "Mine", "L1");
        String theirs = step(COUNCIL, "Theirs", "L2");
        String theirDraft = draft(COUNCIL);

        assertThat(route(mine, theirs, COUNCIL).isProblem(403, "forbidden")).isTrue();
        assertThat(route(mine, theirDraft, COLLEGE).isProblem(404, "not-found")).isTrue();
        assertThat(route(mine, mine, COLLEGE).isProblem(422, "route-to-itself")).isTrue();
        assertThat(route(mine, "opp-nothing", COLLEGE).isProblem(404, "not-found")).isTrue();
        assertThat(api().post("/api/opportunities/" + mine + "/routes", TestTokens.worker(COLLEGE),
                Map.of("toOpportunityId", Map.of("$gt", ""))).status()).isEqualTo(400);
        assertThat(api().get("/api/pathways?from=" + mine + "&to=" + theirs + "&maxSteps=99",
                TestTokens.worker(COLLEGE)).status()).isEqualTo(400);
        assertThat(api().get("/api/pathways?from=%7B%24gt%7D&to=" + theirs, TestTokens.worker(COLLEGE)).status())
                .isEqualTo(400);
        assertThat(paths(api().get("/api/pathways?from=" + mine + "&to=" + theirs, TestTokens.worker(COLLEGE))
                .body())).isEmpty();
    }
}
