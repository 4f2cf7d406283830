package org.pathways.catalogue.agency;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.RunningService;
import org.pathways.events.EventType;
import org.pathways.events.Topic;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

class AgencyApiTest extends RunningService {

    private static TopicRecorder agencyTopic;

    @Autowired
    AgencyDirectory directory;

    @Autowired
    MongoTemplate mongo;

    @BeforeAll
    static void listen() {
        agencyTopic = new TopicRecorder(Topic.AGENCIES.topicName());
    }

    @AfterAll
    static void stopListening() {
        agencyTopic.close();
    }

    static Map<String, Object> agency(String name) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name);
        details.put("sector", "PUBLIC");
        details.put("kind", "COLLEGE");
        details.put("localities", List.of("Harehills", "Chapeltown"));
        details.put("contacts", List.of(Map.of("name", "Referrals team", "role", "Admissions",
                "email", "referrals@college.ac.uk", "phone", "+44 113 000 0000")));
        details.put("acceptsDirectReferrals", true);
        details.put("website", "https://college.example");
        details.put("description", "Further education for Harehills and Chapeltown.");
        details.put("email", "hello@college.ac.uk");
        details.put("phone", "+44 113 000 0001");
        return details;
    }

    @Test
    void anAgencyAdminRegistersAndMaintainsItsOwnAgency() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);

        HttpApi.Response created = api().post("/api/agencies", admin, agency("Park Lane College"));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("id")).isEqualTo(agencyId);
        assertThat(created.location()).contains("/api/agencies/" + agencyId);
        assertThat(created.body().path("localities").size()).isEqualTo(2);
        HttpApi.Response seen = api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL));
        assertThat(seen.text("name")).isEqualTo("Park Lane College");
        assertThat(seen.body().path("acceptsDirectReferrals").asBoolean()).isTrue();
        assertThat(seen.text("description")).isEqualTo("Further education for Harehills and Chapeltown.");
        assertThat(seen.text("email")).isEqualTo("hello@college.ac.uk");
        assertThat(seen.text("phone")).isEqualTo("+44 113 000 0001");

        Map<String, Object> changed = agency("Park Lane College (Leeds)");
        changed.put("acceptsDirectReferrals", false);
        changed.put("version", created.body().path("version").asLong());
        HttpApi.Response revised = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(revised.status()).isEqualTo(200);
        assertThat(revised.body().path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(revised.body().path("version").asLong()).isEqualTo(created.body().path("version").asLong() + 1);

        HttpApi.Response stale = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(stale.isProblem(409, "stale-version")).isTrue();
        assertThat(api().post("/api/agencies", admin, agency("Again")).isProblem(409, "already-registered"))
                .isTrue();
        assertThat(api().get("/api/agencies?locality=Harehills&kind=COLLEGE", TestTokens.worker(COUNCIL)).body()
                .valueStream().map(a -> a.path("id").asString())).contains(agencyId);
    }

    @Test
    void registeringAndChangingWhatOthersActOnAnnounceAgencyEventsWithCodesOnly() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);
        HttpApi.Response created = api().post("/api/agencies", admin, agency("Park Lane College"));
        assertThat(created.status()).isEqualTo(201);

        List<ConsumerRecord<String, byte[]>> registered = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_REGISTERED.type()), 1, EVENT_DEADLINE);
        assertThat(registered).hasSize(1);
        JsonNode event = cloudEvent(registered.getFirst());
        assertThat(event.path("subject").asString()).isEqualTo(agencyId);
        JsonNode data = event.path("data");
        assertThat(data.propertyNames()).containsExactlyInAnyOrder("agencyId", "kind", "sector",
                "acceptsDirectReferrals", "registeredAt");
        assertThat(data.path("kind").asString()).isEqualTo("COLLEGE");
        assertThat(data.path("sector").asString()).isEqualTo("PUBLIC");
        assertThat(data.path("acceptsDirectReferrals").asBoolean()).isTrue();
        String raw = new String(registered.getFirst().value(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(raw).doesNotContain("Park Lane", "referrals@college.ac.uk", "Harehills", "113 000",
                "hello@college.ac.uk", "Further education");

        // A new name announces nothing (names are read through the API)...
        Map<String, Object> renamed = agency("Park Lane College (Leeds)");
        renamed.put("version", created.body().path("version").asLong());
        HttpApi.Response afterRename = put("/api/agencies/" + agencyId, admin, renamed, null);
        assertThat(afterRename.status()).isEqualTo(200);
        // ...becoming a signposting-only library does: the one update on this key is that one.
        Map<String, Object> library = agency("Park Lane Library");
        library.put("kind", "LIBRARY");
        library.put("acceptsDirectReferrals", false);
        library.put("version", afterRename.body().path("version").asLong());
        assertThat(put("/api/agencies/" + agencyId, admin, library, null).status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> updates = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_UPDATED.type()), 1, EVENT_DEADLINE);
        assertThat(updates).hasSize(1);
        JsonNode updated = cloudEvent(updates.getFirst()).path("data");
        assertThat(updated.propertyNames()).containsExactlyInAnyOrder("agencyId", "kind", "sector",
                "acceptsDirectReferrals", "updatedAt");
        assertThat(updated.path("kind").asString()).isEqualTo("LIBRARY");
        assertThat(updated.path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(agencyTopic.settle(r -> agencyId.equals(r.key()), java.time.Duration.ofMillis(500)))
                .as("registered, then the one update, in order").hasSize(2)
                .extracting(r -> cloudEvent(r).path("type").asString())
                .containsExactly(EventType.AGENCY_REGISTERED.type(), EventType.AGENCY_UPDATED.type());
    }

    @Test
    void anAgencyRegisteredBeforeAgenciesWereAnnouncedIsAnnouncedOnce() {
        String agencyId = "agency-" + UUID.randomUUID();
        // As such a record was stored: no "announced" flag, no outbox.
        mongo.insert(new org.bson.Document(Map.of("_id", agencyId, "version", 3L, "hsdsId", UUID.randomUUID().toString(),
                "name", "Old Library", "sector", "PUBLIC", "kind", "LIBRARY", "localities", List.of("Armley"),
                "contacts", List.of(), "acceptsDirectReferrals", false,
                "createdAt", java.util.Date.from(java.time.Instant.parse("2026-01-05T09:00:00Z")))), "agencies");

        assertThat(directory.announceEarlierAgencies()).isPositive();
        assertThat(directory.announceEarlierAgencies()).as("once").isZero();

        List<ConsumerRecord<String, byte[]>> registered = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_REGISTERED.type()), 1, EVENT_DEADLINE);
        assertThat(registered).hasSize(1);
        JsonNode data = cloudEvent(registered.getFirst()).path("data");
        assertThat(data.path("kind").asString()).isEqualTo("LIBRARY");
        assertThat(data.path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(data.path("registeredAt").asString()).startsWith("2026-01-05T09:00");
        assertThat(api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL)).text("name"))
                .isEqualTo("Old Library");
    }

    @Test
    void nobodyManagesAnotherAgencysRecordAndWorkersManageNone() {
        String agencyId = "agency-" + UUID.randomUUID();
        HttpApi.Response created = api().post("/api/agencies", TestTokens.worker(agencyId), agency("Library"));
        Map<String, Object> hijack = agency("Hijacked");
        hijack.put("version", created.body().path("version").asLong());

        assertThat(put("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL), hijack, null)
                .isProblem(403, "forbidden")).isTrue();
        assertThat(api().post("/api/agencies", TestTokens.token("w", "agency-" + UUID.randomUUID(), Role.WORKER),
                agency("Mine")).isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL)).text("name"))
                .isEqualTo("Library");
        assertThat(api().get("/api/agencies/agency-nobody", TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().get("/api/agencies", null).status()).isEqualTo(401);
    }

    @Test
    void hostileAgencyDetailsAreBadRequests() {
        String admin = TestTokens.worker("agency-" + UUID.randomUUID());
        for (Map.Entry<String, Object> bad : List.<Map.Entry<String, Object>>of(
                Map.entry("name", Map.of("$gt", "")), Map.entry("sector", "GOVERNMENT"), Map.entry("kind", 3),
                Map.entry("localities", List.of(Map.of("$ne", 1))), Map.entry("acceptsDirectReferrals", "yes"),
                Map.entry("contacts", List.of(Map.of("name", "x", "email", "not-an-email"))),
                Map.entry("name", "x".repeat(5000)), Map.entry("id", "agency-other"),
                Map.entry("website", "javascript:alert(1)"), Map.entry("email", "not-an-email"),
                Map.entry("email", "hello@college.example"), // @Email passes it; HSDS's format does not
                Map.entry("website", "http://[::1"),
                Map.entry("phone", "call us"), Map.entry("description", "x".repeat(2001)))) {
            Map<String, Object> details = agency("Hostile");
            details.put(bad.getKey(), bad.getValue());
            HttpApi.Response response = api().post("/api/agencies", admin, details);
            assertThat(response.status()).as(bad.toString()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
    }
}
