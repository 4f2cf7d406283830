package org.pathways.catalogue.opportunity;

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

class RichOpportunityTest extends OpportunityCatalogueServiceTest {

    private static TopicRecorder opportunityTopic;

    @BeforeAll
    static void listen() {
        opportunityTopic = new TopicRecorder(Topic.OPPORTUNITIES.topicName());
    }

    @AfterAll
    static void stopListening() {
        opportunityTopic.close();
    }

    static Map<String, Object> rich() {
        Map<String, Object> details = opportunityDetails();
        details.put("terms", List.of("ESOL", "English"));
        details.put("mode", "BLENDED");
        details.put("venues", List.of(Map.of("name", "Harehills Hub", "locality", "Harehills",
                "latitude", 53.8083, "longitude", -1.5128)));
        details.put("schedule", Map.of("startsOn", "2027-01-12", "endsOn", "2027-03-30", "sessions", 12,
                "slots", List.of("WEEKDAY_DAYTIME"), "times", "Tuesdays 10:00-12:00"));
        details.put("costPence", 0);
        details.put("eligibility", Map.of("minAge", 19, "residentIn", List.of("Leeds"),
                "benefits", List.of("UNIVERSAL_CREDIT"), "priorLevel", "E1",
                "description", "Adults settled in Leeds whose first language is not English"));
        details.put("url", "https://college.example/esol");
        details.put("email", "esol@college.ac.uk");
        details.put("phone", "0113 496 0100");
        details.put("contacts", List.of(Map.of("name", "Amira Khan", "role", "ESOL tutor",
                "email", "amira.khan@college.ac.uk", "phone", "0113 496 0101")));
        details.put("feesDescription", "Free for everyone on Universal Credit");
        details.put("accessibility", List.of("STEP_FREE", "CRECHE", "HEARING_LOOP"));
        details.put("languages", List.of("en", "ar"));
        details.put("waitlistOpen", true);
        return details;
    }

    @Test
    void anOpportunityCarriesItsWholeDescription() {
        HttpApi.Response created = api().post("/api/opportunities", TestTokens.worker(COLLEGE), rich());

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.body();
        assertThat(body.path("mode").asString()).isEqualTo("BLENDED");
        assertThat(body.path("terms").valueStream().map(JsonNode::asString)).containsExactly("esol", "english");
        assertThat(body.path("venues").path(0).path("latitude").asDouble()).isEqualTo(53.8083);
        assertThat(body.path("schedule").path("startsOn").asString()).isEqualTo("2027-01-12");
        assertThat(body.path("free").asBoolean()).isTrue();
        assertThat(body.path("eligibility").path("priorLevel").asString()).isEqualTo("E1");
        assertThat(body.path("accessibility").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("STEP_FREE", "CRECHE", "HEARING_LOOP");
        assertThat(body.path("waitlistOpen").asBoolean()).isTrue();
        assertThat(body.path("url").asString()).isEqualTo("https://college.example/esol");
        assertThat(body.path("email").asString()).isEqualTo("esol@college.ac.uk");
        assertThat(body.path("phone").asString()).isEqualTo("0113 496 0100");
        assertThat(body.path("contacts").path(0).path("name").asString()).isEqualTo("Amira Khan");
        assertThat(body.path("contacts").path(0).path("phone").asString()).isEqualTo("0113 496 0101");
        assertThat(body.path("feesDescription").asString()).isEqualTo("Free for everyone on Universal Credit");
        assertThat(body.path("eligibility").path("description").asString())
                .isEqualTo("Adults settled in Leeds whose first language is not English");
    }

    @Test
    void aRevisionNeedsTheCurrentVersionAndAnnouncesAPublishedChange() throws Exception {
        String id = published(COLLEGE, rich());
        HttpApi.Response read = api().get("/api/opportunities/" + id, TestTokens.worker(COLLEGE));
        long version = read.body().path("revision").asLong();
        // The people's revision is the ETag: a generic client sends it back as If-Match.
        java.net.http.HttpResponse<String> withHeaders = java.net.http.HttpClient.newHttpClient().send(
                api().request("/api/opportunities/" + id, TestTokens.worker(COLLEGE)).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(withHeaders.headers().firstValue("ETag")).hasValue("\"" + version + "\"");
        Map<String, Object> revised = rich();
        revised.put("capacity", 20);
        revised.put("title", "ESOL Entry 2, Tuesday and Thursday mornings");

        HttpApi.Response ok = put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), revised, version);
        HttpApi.Response stale = put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), revised, version);

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("capacity").asInt()).isEqualTo(20);
        assertThat(stale.isProblem(409, "stale-version")).isTrue();
        List<ConsumerRecord<String, byte[]>> updated = opportunityTopic.await(
                r -> isOfType(r, id, EventType.OPPORTUNITY_UPDATED.type()), 1, EVENT_DEADLINE);
        JsonNode data = cloudEvent(updated.getFirst()).path("data");
        assertThat(data.path("capacity").asInt()).isEqualTo(20);
        assertThat(data.path("status").asString()).isEqualTo("PUBLISHED");
        assertThat(new String(updated.getFirst().value())).doesNotContain("Thursday", "Amira", "college.ac.uk",
                "0113 496 0100", "0113 496 0101", "Universal Credit", "first language");
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COUNCIL), revised, version + 1)
                .isProblem(403, "forbidden")).isTrue();
        // Without If-Match: 428, as in every service (it was a 400 here).
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), revised, null)
                .isProblem(428, "precondition-required")).isTrue();
        HttpApi.Response badVersion = api().send(api().request("/api/opportunities/" + id, TestTokens.worker(COLLEGE))
                .header("Content-Type", "application/json").header("If-Match", "{\"$gt\": 0}")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(HttpApi.JSON.writeValueAsString(revised))));
        assertThat(badVersion.status()).isEqualTo(400);
        revised.put("status", "PUBLISHED");
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), revised, version + 1).status())
                .isEqualTo(400);
    }

    @Test
    void anOpportunityEndsAndThenNoLongerChanges() {
        String id = published(COLLEGE, rich());

        HttpApi.Response ended = api().post("/api/opportunities/" + id + "/end", TestTokens.worker(COLLEGE), "");

        assertThat(ended.text("status")).isEqualTo("ENDED");
        assertThat(opportunityTopic.await(r -> isOfType(r, id, EventType.OPPORTUNITY_UPDATED.type()), 1,
                EVENT_DEADLINE)).hasSize(1);
        assertThat(put("/api/opportunities/" + id, TestTokens.worker(COLLEGE), rich(),
                ended.body().path("revision").asLong()).isProblem(409, "illegal-transition")).isTrue();
        assertThat(withdraw(id, COLLEGE).isProblem(409, "illegal-transition")).isTrue();
    }

    @Test
    void hostileRichDetailsAreBadRequests() {
        List<Map.Entry<String, Object>> hostile = List.of(
                Map.entry("mode", "TELEPATHY"),
                Map.entry("venues", List.of(Map.of("name", "x", "locality", "y", "latitude", 91, "longitude", 0))),
                Map.entry("venues", List.of(Map.of("name", "x", "locality", "y", "latitude", 50))),
                Map.entry("venues", List.of(Map.of("name", Map.of("$gt", ""), "locality", "y"))),
                Map.entry("schedule", Map.of("startsOn", "2027-03-01", "endsOn", "2027-01-01")),
                Map.entry("schedule", Map.of("startsOn", "next tuesday")),
                Map.entry("costPence", -5),
                Map.entry("eligibility", Map.of("minAge", 30, "maxAge", 20)),
                Map.entry("eligibility", Map.of("priorLevel", "L12")),
                Map.entry("accessibility", List.of("JETPACK")),
                Map.entry("languages", List.of("English")),
                Map.entry("terms", List.of("x".repeat(500))),
                Map.entry("placeHolders", List.of("ref-1")),
                Map.entry("url", "javascript:alert(1)"),
                Map.entry("email", "not-an-e-mail"),
                Map.entry("email", "esol@college.example"),
                Map.entry("contacts", List.of(Map.of("name", "Tutor", "email", "tutor@college.example"))),
                Map.entry("phone", "call me"),
                Map.entry("contacts", List.of(Map.of("name", Map.of("$gt", "")))),
                Map.entry("contacts", List.of(Map.of("role", "nameless"))),
                Map.entry("feesDescription", "x".repeat(1001)),
                Map.entry("eligibility", Map.of("description", "x".repeat(1001))));
        for (Map.Entry<String, Object> bad : hostile) {
            Map<String, Object> details = rich();
            details.put(bad.getKey(), bad.getValue());
            HttpApi.Response response = api().post("/api/opportunities", TestTokens.worker(COLLEGE), details);
            assertThat(response.status()).as(bad.toString()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }
}
