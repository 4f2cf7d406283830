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
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

class AgencyApiTest extends OpportunityCatalogueServiceTest {

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

    static final String PLATFORM_ADMIN = TestTokens.token("platform-admin", "agency-platform", Role.PLATFORM_ADMIN);

    /** A platform administrator sets the agency's kind and sector; answers the agency as it now is. */
    HttpApi.Response setKind(String token, String agencyId, String kind, String sector, long version) {
        return put("/api/agencies/" + agencyId + "/kind", token,
                Map.of("kind", kind, "sector", sector, "version", version), null);
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
        long approvedVersion = setKind(PLATFORM_ADMIN, agencyId, "COLLEGE", "PUBLIC",
                created.body().path("version").asLong()).body().path("version").asLong();

        Map<String, Object> changed = agency("Park Lane College (Leeds)");
        changed.put("acceptsDirectReferrals", false);
        changed.put("localities", List.of("Harehills"));
        changed.put("version", approvedVersion);
        HttpApi.Response revised = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(revised.status()).isEqualTo(200);
        assertThat(revised.body().path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(revised.body().path("localities").size()).isEqualTo(1);
        assertThat(revised.body().path("version").asLong()).isEqualTo(approvedVersion + 1);

        HttpApi.Response stale = put("/api/agencies/" + agencyId, admin, changed, null);
        assertThat(stale.isProblem(409, "stale-version")).isTrue();
        assertThat(api().post("/api/agencies", admin, agency("Again")).isProblem(409, "already-registered"))
                .isTrue();
        assertThat(api().get("/api/agencies?locality=Harehills&kind=COLLEGE", TestTokens.worker(COUNCIL)).body()
                .valueStream().map(a -> a.path("id").asString())).contains(agencyId);
    }

    @Test
    void anAgencyAdminsKindIsARequestUntilAPlatformAdminApprovesIt() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);

        // It asks to be a college: consent given "to every college" must not reach it on its own say-so.
        HttpApi.Response created = api().post("/api/agencies", admin, agency("Self-declared College"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.text("status")).isEqualTo("PENDING");
        assertThat(created.body().path("kind").isNull()).isTrue();
        assertThat(created.body().path("sector").isNull()).isTrue();
        assertThat(created.text("requestedKind")).isEqualTo("COLLEGE");
        assertThat(api().get("/api/agencies?kind=COLLEGE&locality=Harehills", TestTokens.worker(COUNCIL)).body()
                .valueStream().map(a -> a.path("id").asString())).doesNotContain(agencyId);
        long version = created.body().path("version").asLong();

        // Neither it nor any other agency's administrator approves itself.
        assertThat(setKind(admin, agencyId, "COLLEGE", "PUBLIC", version)
                .isProblem(403, AgencyDirectory.KIND_SET_BY_PLATFORM_ADMIN)).isTrue();
        assertThat(setKind(TestTokens.worker(COUNCIL), agencyId, "COLLEGE", "PUBLIC", version)
                .isProblem(403, AgencyDirectory.KIND_SET_BY_PLATFORM_ADMIN)).isTrue();
        assertThat(api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL)).text("status"))
                .isEqualTo("PENDING");
        // The platform administrator's list of agencies waiting for approval has it, with what it asked for.
        assertThat(api().get("/api/agencies?status=PENDING", PLATFORM_ADMIN).body().valueStream()
                .filter(a -> a.path("id").asString().equals(agencyId))
                .map(a -> a.path("requestedKind").asString())).containsExactly("COLLEGE");
        assertThat(api().get("/api/agencies?status=PENDING", PLATFORM_ADMIN).body().valueStream()
                .map(a -> a.path("status").asString())).containsOnly("PENDING");
        assertThat(api().get("/api/agencies?status=APPROVED", PLATFORM_ADMIN).body().valueStream()
                .map(a -> a.path("id").asString())).doesNotContain(agencyId);
        assertThat(api().get("/api/agencies?status=WAITING", PLATFORM_ADMIN).isProblem(400, "bad-request")).isTrue();

        // The platform administrator decides it is a community group, and that is all the partnership hears.
        HttpApi.Response approved = setKind(PLATFORM_ADMIN, agencyId, "COMMUNITY_GROUP", "VOLUNTARY", version);
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.text("status")).isEqualTo("APPROVED");
        assertThat(approved.text("kind")).isEqualTo("COMMUNITY_GROUP");
        assertThat(approved.body().path("requestedKind").isNull()).isTrue();
        assertThat(api().get("/api/agencies?status=PENDING", PLATFORM_ADMIN).body().valueStream()
                .map(a -> a.path("id").asString())).as("no longer waiting").doesNotContain(agencyId);
        assertThat(api().get("/api/agencies?status=APPROVED&kind=COMMUNITY_GROUP", PLATFORM_ADMIN).body()
                .valueStream().map(a -> a.path("id").asString())).contains(agencyId);

        List<ConsumerRecord<String, byte[]>> registered = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_REGISTERED.type()), 1, EVENT_DEADLINE);
        JsonNode data = cloudEvent(registered.getFirst()).path("data");
        assertThat(data.path("kind").asString()).isEqualTo("COMMUNITY_GROUP");
        assertThat(data.path("sector").asString()).isEqualTo("VOLUNTARY");
        assertThat(agencyTopic.recorded(r -> agencyId.equals(r.key())))
                .as("the approval is the first and only news of this agency: nothing announced the request")
                .extracting(r -> cloudEvent(r).path("type").asString())
                .containsExactly(EventType.AGENCY_REGISTERED.type());
    }

    @Test
    void aPendingAgencysPeopleAreShownOnlyToItselfAndThePlatformAdministratorsUntilItIsApproved() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);
        String otherAgency = TestTokens.worker(COUNCIL);
        HttpApi.Response created = api().post("/api/agencies", admin, agency("Newly Registered College"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(contactNames(created.body())).as("its own administrator sees what it sent")
                .containsExactly("Referrals team");

        // Another agency finds it (its name, that it is pending), but not the people who work there.
        assertThat(contactNames(api().get("/api/agencies/" + agencyId, otherAgency).body())).isEmpty();
        assertThat(api().get("/api/agencies/" + agencyId, otherAgency).text("status")).isEqualTo("PENDING");
        for (String list : List.of("/api/agencies?status=PENDING", "/api/agencies?locality=Harehills",
                "/api/agencies")) {
            assertThat(api().get(list, otherAgency).body().valueStream()
                    .filter(a -> a.path("id").asString().equals(agencyId)).map(AgencyApiTest::contactNames))
                    .as(list).allMatch(List::isEmpty);
        }
        assertThat(exported(agencyId, otherAgency))
                .as("nor in the partnership's Open Referral export, which leaves the agency out until approved")
                .isNull();
        // Itself and the platform administrators, who decide on it, do.
        assertThat(contactNames(api().get("/api/agencies/" + agencyId, admin).body()))
                .containsExactly("Referrals team");
        assertThat(api().get("/api/agencies?status=PENDING", PLATFORM_ADMIN).body().valueStream()
                .filter(a -> a.path("id").asString().equals(agencyId)).map(AgencyApiTest::contactNames))
                .containsExactly(List.of("Referrals team"));

        // Approved, it is a partner: its contacts are the partnership's to reach.
        setKind(PLATFORM_ADMIN, agencyId, "COLLEGE", "PUBLIC", created.body().path("version").asLong());
        assertThat(contactNames(api().get("/api/agencies/" + agencyId, otherAgency).body()))
                .containsExactly("Referrals team");
        assertThat(exported(agencyId, otherAgency).path("contacts").size()).isEqualTo(1);
    }

    /**
     * The agency as the Open Referral export's organizations show it to {@code token}, every page read; {@code null}
     * when it is not there.
     */
    private JsonNode exported(String agencyId, String token) {
        String hsdsId = directory.get(agencyId).hsdsId();
        JsonNode page = api().get("/api/hsds/organizations?per_page=500", token).body();
        for (int number = 2; ; number++) {
            for (JsonNode organization : page.path("contents")) {
                if (organization.path("id").asString().equals(hsdsId)) {
                    return organization;
                }
            }
            if (number > page.path("total_pages").asInt()) {
                return null;
            }
            page = api().get("/api/hsds/organizations?per_page=500&page=" + number, token).body();
        }
    }

    private static List<String> contactNames(JsonNode agency) {
        return agency.path("contacts").valueStream().map(contact -> contact.path("name").asString()).toList();
    }

    @Test
    void anAgencyAdminCannotChangeItsApprovedKindOrSectorButKeepsEditingTheRest() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);
        HttpApi.Response created = api().post("/api/agencies", admin, agency("Leeds Food Bank"));
        long version = setKind(PLATFORM_ADMIN, agencyId, "COMMUNITY_GROUP", "VOLUNTARY",
                created.body().path("version").asLong()).body().path("version").asLong();

        for (Map.Entry<String, String> claim : List.of(Map.entry("COLLEGE", "VOLUNTARY"),
                Map.entry("COMMUNITY_GROUP", "PUBLIC"))) {
            Map<String, Object> upgrade = agency("Leeds Food Bank College");
            upgrade.put("kind", claim.getKey());
            upgrade.put("sector", claim.getValue());
            upgrade.put("version", version);
            HttpApi.Response refused = put("/api/agencies/" + agencyId, admin, upgrade, null);
            assertThat(refused.isProblem(403, AgencyDirectory.KIND_SET_BY_PLATFORM_ADMIN)).as(claim.toString())
                    .isTrue();
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        HttpApi.Response unchanged = api().get("/api/agencies/" + agencyId, TestTokens.worker(COUNCIL));
        assertThat(unchanged.text("name")).as("nothing written").isEqualTo("Leeds Food Bank");
        assertThat(unchanged.text("kind")).isEqualTo("COMMUNITY_GROUP");
        assertThat(unchanged.body().path("version").asLong()).isEqualTo(version);

        // Its name, contacts, localities and referral stance stay its own to edit; the update carries the approved kind.
        Map<String, Object> edited = agency("Leeds Community Food Bank");
        edited.put("kind", "COMMUNITY_GROUP");
        edited.put("sector", "VOLUNTARY");
        edited.put("localities", List.of("Armley"));
        edited.put("contacts", List.of(Map.of("name", "Volunteer desk")));
        edited.put("acceptsDirectReferrals", false);
        edited.put("version", version);
        HttpApi.Response revised = put("/api/agencies/" + agencyId, admin, edited, null);
        assertThat(revised.status()).isEqualTo(200);
        assertThat(revised.text("name")).isEqualTo("Leeds Community Food Bank");
        assertThat(revised.body().path("localities").get(0).asString()).isEqualTo("Armley");
        assertThat(revised.body().path("contacts").get(0).path("name").asString()).isEqualTo("Volunteer desk");

        // A platform administrator may change it.
        HttpApi.Response library = setKind(PLATFORM_ADMIN, agencyId, "LIBRARY", "PUBLIC",
                revised.body().path("version").asLong());
        assertThat(library.text("kind")).isEqualTo("LIBRARY");

        List<ConsumerRecord<String, byte[]>> updates = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_UPDATED.type()), 2, EVENT_DEADLINE);
        assertThat(updates).extracting(r -> cloudEvent(r).path("data").path("kind").asString())
                .containsExactly("COMMUNITY_GROUP", "LIBRARY");
        assertThat(agencyTopic.recorded(r -> agencyId.equals(r.key())))
                .as("the refused changes announced nothing")
                .extracting(r -> cloudEvent(r).path("type").asString())
                .containsExactly(EventType.AGENCY_REGISTERED.type(), EventType.AGENCY_UPDATED.type(),
                        EventType.AGENCY_UPDATED.type());
    }

    @Test
    void registeringAndChangingWhatOthersActOnAnnounceAgencyEventsWithCodesOnly() {
        String agencyId = "agency-" + UUID.randomUUID();
        String admin = TestTokens.worker(agencyId);
        HttpApi.Response created = api().post("/api/agencies", admin, agency("Park Lane College"));
        assertThat(created.status()).isEqualTo(201);
        HttpApi.Response approved = setKind(PLATFORM_ADMIN, agencyId, "COLLEGE", "PUBLIC",
                created.body().path("version").asLong());
        assertThat(approved.status()).isEqualTo(200);

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
        renamed.put("version", approved.body().path("version").asLong());
        HttpApi.Response afterRename = put("/api/agencies/" + agencyId, admin, renamed, null);
        assertThat(afterRename.status()).isEqualTo(200);
        // ...becoming signposting-only does: the one update on this key is that one.
        Map<String, Object> signposting = agency("Park Lane College (Leeds)");
        signposting.put("acceptsDirectReferrals", false);
        signposting.put("version", afterRename.body().path("version").asLong());
        assertThat(put("/api/agencies/" + agencyId, admin, signposting, null).status()).isEqualTo(200);

        List<ConsumerRecord<String, byte[]>> updates = agencyTopic.await(
                r -> isOfType(r, agencyId, EventType.AGENCY_UPDATED.type()), 1, EVENT_DEADLINE);
        assertThat(updates).hasSize(1);
        JsonNode updated = cloudEvent(updates.getFirst()).path("data");
        assertThat(updated.propertyNames()).containsExactlyInAnyOrder("agencyId", "kind", "sector",
                "acceptsDirectReferrals", "updatedAt");
        assertThat(updated.path("kind").asString()).isEqualTo("COLLEGE");
        assertThat(updated.path("acceptsDirectReferrals").asBoolean()).isFalse();
        assertThat(agencyTopic.recorded(r -> agencyId.equals(r.key())))
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
