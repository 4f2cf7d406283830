package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.catalogue.agency.Agency;
import org.pathways.events.Topic;
import org.pathways.events.catalogue.EventType;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.pathways.testing.TopicRecorder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Open Referral HSDS 3.0 import and export, validated against the standard's own compiled schemas. */
class OpenReferralTest extends OpportunityCatalogueServiceTest {

    /**
     * The HSDS 3.0 schemas of the partnership's shared standards folder, which sits beside the checkout
     * ({@code ../shared/standards}); nothing is copied into the project. Found by walking up from the module.
     */
    private static final Path HSDS = standardsBesideTheCheckout();

    private static Path standardsBesideTheCheckout() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(Path.of("shared", "standards", "hsds-3.0", "compiled"));
            if (Files.isRegularFile(candidate.resolve("service.json"))) {
                return candidate;
            }
        }
        return null;
    }

    private static Schema serviceSchema;
    private static Schema organizationSchema;
    private static TopicRecorder opportunityTopic;
    private static TopicRecorder agencyTopic;

    @BeforeAll
    static void loadSchemas() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(HSDS != null,
                "The shared standards folder (shared/standards/hsds-3.0) is not beside this checkout");
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(
                        SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        serviceSchema = registry.getSchema(HttpApi.JSON.readTree(Files.readString(HSDS.resolve("service.json"))));
        organizationSchema = registry.getSchema(HttpApi.JSON.readTree(
                Files.readString(HSDS.resolve("organization.json"))));
        opportunityTopic = new TopicRecorder(Topic.OPPORTUNITIES.topicName());
        agencyTopic = new TopicRecorder(Topic.AGENCIES.topicName());
    }

    @AfterAll
    static void stop() {
        if (opportunityTopic != null) {
            opportunityTopic.close();
            agencyTopic.close();
        }
    }

    private static String admin() {
        return TestTokens.token("platform-admin", "agency-platform", Role.PLATFORM_ADMIN);
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    /** A document written for this test: flat tables and nested records, with things that must be skipped. */
    private static ObjectNode sample(String org, String flatService, String nestedService, String location,
                                     String term) {
        String json = """
                {
                  "organizations": [
                    {"id": "%1$s", "name": "Chapeltown Community Learning", "description": "Adult learning.",
                     "website": "https://ccl.example.org", "email": "hello@ccl.example.org",
                     "alternate_name": "CCL", "tax_id": "", "funding": [],
                     "phones": [{"id": "%48$s", "number": "0113 496 0001"}, {"id": "%49$s", "number": "0113 496 0002"}],
                     "contacts": [{"id": "%6$s", "name": "Referrals desk", "title": "Coordinator",
                                   "email": "desk@ccl.example.org", "phones": [{"id": "%7$s", "number": "0113 496 0000"}]}],
                     "attributes": [
                       {"id": "%8$s", "taxonomy_term": {"id": "%9$s", "code": "COMMUNITY", "name": "Community",
                        "description": "Sector", "taxonomy": "pathways-agency-sector"}},
                       {"id": "%10$s", "taxonomy_term": {"id": "%11$s", "code": "Chapeltown", "name": "Chapeltown",
                        "description": "Locality", "taxonomy": "pathways-locality"}}]},
                    {"id": "%12$s", "description": "A nameless organisation."},
                    {"id": "not-a-uuid", "name": "Bad id", "description": ""}
                  ],
                  "taxonomy_terms": [
                    {"id": "%5$s", "name": "ESOL", "description": "English for speakers of other languages",
                     "taxonomy": "openeligibility"}
                  ],
                  "attributes": [
                    {"id": "%13$s", "link_id": "%2$s", "link_type": "service", "taxonomy_term_id": "%5$s"}
                  ],
                  "locations": [
                    {"id": "%4$s", "location_type": "physical", "name": "Reginald Centre", "latitude": 53.8189,
                     "longitude": -1.5336, "accessibility": [{"id": "%46$s", "description": "Step free"}],
                     "addresses": [{"id": "%14$s", "address_1": "263 Chapeltown Rd",
                     "city": "Chapeltown", "state_province": "West Yorkshire", "postal_code": "LS7 3EX",
                     "country": "GB", "address_type": "physical"}]}
                  ],
                  "service_at_locations": [
                    {"id": "%15$s", "service_id": "%2$s", "location_id": "%4$s"},
                    {"id": "%16$s", "service_id": "%2$s", "location_id": "%17$s"}
                  ],
                  "services": [
                    {"id": "%2$s", "organization_id": "%1$s", "name": "ESOL Entry 1 drop-in",
                     "description": "Friendly English practice.", "status": "active", "minimum_age": 16,
                     "url": "https://ccl.example.org/esol", "email": "esol@ccl.example.org",
                     "application_process": "Drop in", "alert": "Closed at Easter", "wait_time": null,
                     "phones": [{"id": "%50$s", "number": "0113 496 0010"}],
                     "contacts": [{"id": "%51$s", "name": "ESOL tutor", "title": "Tutor", "email": "tutor@ccl.example.org",
                                   "phones": [{"id": "%52$s", "number": "0113 496 0011"}]},
                                  {"id": "%53$s", "title": "No name"}],
                     "eligibility_description": "Adults whose first language is not English.",
                     "fees_description": "Free if you get Universal Credit, otherwise 25.50 a term.",
                     "languages": [{"id": "%18$s", "code": "en", "name": "English"},
                                   {"id": "%19$s", "code": "ar", "name": "Arabic"}],
                     "cost_options": [{"id": "%20$s", "currency": "GBP", "amount": 25.5}],
                     "service_areas": [{"id": "%33$s", "name": "Chapeltown"}, {"id": "%34$s", "name": "Harehills"}],
                     "schedules": [{"id": "%35$s", "valid_from": "2027-01-11", "valid_to": "2027-03-29", "count": 12,
                                    "description": "Mondays and Wednesdays 6.30pm, Saturday mornings",
                                    "freq": "WEEKLY", "byday": "MO,WE", "opens_at": "18:30", "closes_at": "20:30"},
                                   {"id": "%36$s", "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00"}],
                     "attributes": [
                       {"id": "%37$s", "taxonomy_term": {"id": "%38$s", "code": "ON_BENEFITS", "name": "On benefits",
                        "description": "free for", "taxonomy": "pathways-free-for"}},
                       {"id": "%39$s", "taxonomy_term": {"id": "%40$s", "code": "UNIVERSAL_CREDIT", "name": "UC",
                        "description": "benefit", "taxonomy": "pathways-benefit"}},
                       {"id": "%41$s", "taxonomy_term": {"id": "%42$s", "code": "E1", "name": "Entry 1",
                        "description": "prior level", "taxonomy": "pathways-prior-level"}},
                       {"id": "%43$s", "taxonomy_term": {"id": "%44$s", "code": "OPEN", "name": "Waiting list",
                        "description": "waitlist", "taxonomy": "pathways-waitlist"}}]},
                    {"id": "%3$s", "organization_id": "%1$s", "name": "Digital skills", "status": "active",
                     "description": "Get online.",
                     "attributes": [
                       {"id": "%21$s", "taxonomy_term": {"id": "%22$s", "code": "NON_FORMAL_LEARNING",
                        "name": "Non-formal", "description": "kind", "taxonomy": "pathways-opportunity-kind"}},
                       {"id": "%23$s", "value": "15", "taxonomy_term": {"id": "%24$s", "code": "CAPACITY",
                        "name": "Capacity", "description": "places", "taxonomy": "pathways-capacity"}}],
                     "schedules": [{"id": "%25$s", "valid_from": "2027-01-10", "valid_to": "2027-02-28",
                                    "count": 8, "description": "Mondays 1-3pm"}],
                     "service_at_locations": [{"id": "%26$s", "location": {"id": "%27$s", "location_type": "physical",
                        "name": "Library", "addresses": [{"id": "%28$s", "address_1": "1 Main St", "city": "Harehills",
                        "state_province": "", "postal_code": "", "country": "GB", "address_type": "physical"}]}},
                       {"id": "%54$s", "location": {"id": "%55$s", "location_type": "virtual", "name": "Zoom",
                        "url": "https://learn.example.org/digital"}}]},
                    {"id": "%56$s", "organization_id": "%1$s", "name": "Benefits advice online", "status": "active",
                     "description": "Video calls.", "url": "https://ccl.example.org/advice",
                     "service_at_locations": [{"id": "%57$s", "location": {"id": "%58$s", "location_type": "virtual",
                        "url": "https://elsewhere.example.org/advice"}}]},
                    {"id": "%59$s", "organization_id": "%1$s", "name": "Bad details", "status": "active",
                     "email": "not-an-e-mail", "fees_description": "%47$s"},
                    {"id": "%29$s", "organization_id": "%30$s", "name": "Orphan", "status": "active"},
                    {"id": "%31$s", "organization_id": "%1$s", "name": "Odd status", "status": "sleeping"},
                    {"id": "%32$s", "organization_id": "%1$s", "status": "active"},
                    {"id": "%45$s", "organization_id": "%1$s", "name": "Upside down", "status": "active",
                     "minimum_age": 60, "maximum_age": 18}
                  ]
                }
                """.formatted(org, flatService, nestedService, location, term, uuid(), uuid(), uuid(), uuid(),
                uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(),
                uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(),
                uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(),
                uuid(), "x".repeat(1001), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(), uuid(),
                uuid(), uuid());
        return (ObjectNode) HttpApi.JSON.readTree(json);
    }

    private HttpApi.Response importDocument(JsonNode document) {
        return api().post("/api/hsds/import", admin(), document.toString());
    }

    private static List<String> validate(Schema schema, JsonNode node) {
        return schema.validate(node).stream().map(Object::toString).toList();
    }

    private JsonNode all(String path) {
        return api().get(path + "?per_page=500", TestTokens.worker(COUNCIL)).body();
    }

    @Test
    void importsADocumentKeepsWhatItCanReportsTheRestAndRoundTripsThroughAValidExport() {
        String org = uuid();
        String flatService = uuid();
        String nestedService = uuid();
        ObjectNode document = sample(org, flatService, nestedService, uuid(), uuid());

        HttpApi.Response first = importDocument(document);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.body().path("organizations").path("created").asInt()).isEqualTo(1);
        assertThat(first.body().path("services").path("created").asInt())
                .as("services with an odd value are imported without it").isEqualTo(5);
        assertThat(first.body().path("services").path("refused").asInt()).isEqualTo(3);
        assertThat(first.body().path("organizations").path("refused").asInt()).isEqualTo(2);
        Set<String> refused = first.body().path("refused").valueStream()
                .map(s -> s.path("table").asString() + ": " + s.path("code").asString() + " "
                        + s.path("field").asString(""))
                .collect(Collectors.toSet());
        assertThat(refused).as("HSDS field names, not the catalogue's").containsExactlyInAnyOrder(
                "organizations: ID_NOT_UUID ", "organizations: INVALID_FIELD name", "services: INVALID_FIELD name",
                "services: UNKNOWN_ORGANIZATION ", "services: UNKNOWN_STATUS ");
        Set<String> warnings = first.body().path("warnings").valueStream()
                .map(s -> s.path("table").asString() + ": " + s.path("code").asString() + " "
                        + s.path("field").asString(""))
                .collect(Collectors.toSet());
        assertThat(warnings).contains("service_at_locations: UNKNOWN_SERVICE_OR_LOCATION ",
                "services: AGE_RANGE minimum_age, maximum_age", "phones: MORE_PHONES ",
                "contacts: CONTACT_WITHOUT_NAME ", "locations: SECOND_URL ",
                "services: FIELD_DROPPED email, fees_description",
                "organizations: NOT_MAPPED alternate_name",
                // The service's own fields, then those of its nested records (a street, a postcode, the hours).
                "services: NOT_MAPPED application_process, alert, addresses.address_1, addresses.state_province, "
                        + "addresses.postal_code, addresses.country, schedules.freq, schedules.byday, "
                        + "schedules.opens_at, schedules.closes_at");
        // Every reason is the fixed text of its code: no exception message, class or property name leaks out.
        java.util.stream.Stream.concat(first.body().path("refused").valueStream(),
                first.body().path("warnings").valueStream()).forEach(finding -> assertThat(
                        finding.path("reason").asString())
                .isEqualTo(ImportIssue.valueOf(finding.path("code").asString()).text));
        String badDetails = document.path("services").path(3).path("id").asString();
        JsonNode kept = api().get("/api/opportunities/opp-" + badDetails, TestTokens.worker(COUNCIL)).body();
        assertThat(kept.path("title").asString()).isEqualTo("Bad details");
        assertThat(kept.path("email").isMissingNode() || kept.path("email").isNull()).isTrue();

        JsonNode flat = api().get("/api/opportunities/opp-" + flatService, TestTokens.worker(COUNCIL)).body();
        assertThat(flat.path("status").asString()).isEqualTo("PUBLISHED");
        assertThat(flat.path("providerAgencyId").asString()).isEqualTo("agency-" + org);
        assertThat(flat.path("terms").valueStream().map(JsonNode::asString)).containsExactly("esol");
        assertThat(flat.path("venues").path(0).path("locality").asString()).isEqualTo("Chapeltown");
        assertThat(flat.path("languages").size()).isEqualTo(2);
        assertThat(flat.path("eligibility").path("minAge").asInt()).isEqualTo(16);
        assertThat(flat.path("eligibility").path("residentIn").valueStream().map(JsonNode::asString))
                .containsExactly("Chapeltown", "Harehills");
        assertThat(flat.path("eligibility").path("benefits").valueStream().map(JsonNode::asString))
                .containsExactly("UNIVERSAL_CREDIT");
        assertThat(flat.path("eligibility").path("priorLevel").asString()).isEqualTo("E1");
        assertThat(flat.path("freeFor").valueStream().map(JsonNode::asString)).containsExactly("ON_BENEFITS");
        assertThat(flat.path("costPence").asInt()).isEqualTo(2550);
        assertThat(flat.path("waitlistOpen").asBoolean()).isTrue();
        assertThat(flat.path("accessibility").valueStream().map(JsonNode::asString)).containsExactly("STEP_FREE");
        assertThat(flat.path("schedule").path("slots").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("WEEKDAY_EVENING", "WEEKEND");
        assertThat(flat.path("schedule").path("sessions").asInt()).isEqualTo(12);
        assertThat(flat.path("schedule").path("startsOn").asString()).isEqualTo("2027-01-11");
        assertThat(flat.path("mode").asString()).isEqualTo("IN_PERSON");
        assertThat(flat.path("url").asString()).isEqualTo("https://ccl.example.org/esol");
        assertThat(flat.path("email").asString()).isEqualTo("esol@ccl.example.org");
        assertThat(flat.path("phone").asString()).isEqualTo("0113 496 0010");
        assertThat(flat.path("contacts")).hasSize(1);
        assertThat(flat.path("contacts").path(0).path("name").asString()).isEqualTo("ESOL tutor");
        assertThat(flat.path("contacts").path(0).path("role").asString()).isEqualTo("Tutor");
        assertThat(flat.path("contacts").path(0).path("email").asString()).isEqualTo("tutor@ccl.example.org");
        assertThat(flat.path("contacts").path(0).path("phone").asString()).isEqualTo("0113 496 0011");
        assertThat(flat.path("eligibility").path("description").asString())
                .isEqualTo("Adults whose first language is not English.");
        assertThat(flat.path("feesDescription").asString())
                .isEqualTo("Free if you get Universal Credit, otherwise 25.50 a term.");
        JsonNode nested = api().get("/api/opportunities/opp-" + nestedService, TestTokens.worker(COUNCIL)).body();
        assertThat(nested.path("kind").asString()).isEqualTo("NON_FORMAL_LEARNING");
        assertThat(nested.path("capacity").asInt()).isEqualTo(15);
        assertThat(nested.path("schedule").path("sessions").asInt()).isEqualTo(8);
        assertThat(nested.path("mode").asString()).as("a physical and a virtual location").isEqualTo("BLENDED");
        assertThat(nested.path("url").asString()).as("the virtual location's url")
                .isEqualTo("https://learn.example.org/digital");
        assertThat(nested.path("venues")).hasSize(1);
        String onlineService = document.path("services").path(2).path("id").asString();
        JsonNode online = api().get("/api/opportunities/opp-" + onlineService, TestTokens.worker(COUNCIL)).body();
        assertThat(online.path("mode").asString()).as("only a virtual location").isEqualTo("ONLINE");
        assertThat(online.path("url").asString()).as("the service's own url wins")
                .isEqualTo("https://ccl.example.org/advice");
        assertThat(online.path("venues")).isEmpty();
        JsonNode agency = api().get("/api/agencies/agency-" + org, TestTokens.worker(COUNCIL)).body();
        assertThat(agency.path("sector").asString()).isEqualTo("COMMUNITY");
        assertThat(agency.path("description").asString()).isEqualTo("Adult learning.");
        assertThat(agency.path("email").asString()).isEqualTo("hello@ccl.example.org");
        assertThat(agency.path("phone").asString()).isEqualTo("0113 496 0001");
        assertThat(agency.path("website").asString()).isEqualTo("https://ccl.example.org");
        assertThat(agency.path("contacts").path(0).path("phone").asString()).isEqualTo("0113 496 0000");
        assertThat(opportunityTopic.await(r -> isOfType(r, "opp-" + flatService,
                EventType.OPPORTUNITY_PUBLISHED.type()), 1, EVENT_DEADLINE)).hasSize(1);
        assertThat(agencyTopic.await(r -> isOfType(r, "agency-" + org, EventType.AGENCY_REGISTERED.type()), 1,
                EVENT_DEADLINE)).as("an imported agency is announced as a registered one").hasSize(1);

        // Importing the same document again changes nothing.
        JsonNode again = importDocument(document).body();
        assertThat(again.path("organizations").path("unchanged").asInt()).isEqualTo(1);
        assertThat(again.path("services").path("unchanged").asInt()).isEqualTo(5);
        assertThat(again.path("services").path("created").asInt() + again.path("services").path("updated").asInt())
                .isZero();

        // The export is valid HSDS 3.0...
        JsonNode services = all("/api/hsds/services");
        JsonNode organizations = all("/api/hsds/organizations");
        assertThat(services.path("contents").size()).isPositive();
        services.path("contents").forEach(service -> assertThat(validate(serviceSchema, service))
                .as(service.path("id").asString()).isEmpty());
        JsonNode exportedFlat = services.path("contents").valueStream()
                .filter(service -> service.path("id").asString().equals(flatService)).findFirst().orElseThrow();
        assertThat(exportedFlat.path("service_areas").valueStream().map(a -> a.path("name").asString()))
                .containsExactly("Chapeltown", "Harehills");
        assertThat(exportedFlat.path("schedules")).as("the dates and words given, no invented hours").hasSize(1);
        assertThat(exportedFlat.path("schedules").path(0).path("description").asString())
                .isEqualTo("Mondays and Wednesdays 6.30pm, Saturday mornings");
        assertThat(exportedFlat.path("schedules").path(0).path("count").asInt()).isEqualTo(12);
        assertThat(exportedFlat.path("schedules").path(0).propertyNames())
                .doesNotContain("byday", "opens_at", "closes_at", "freq");
        assertThat(exportedFlat.path("attributes").valueStream()
                .filter(a -> a.path("taxonomy_term").path("taxonomy").asString().equals("pathways-time-slot"))
                .map(a -> a.path("taxonomy_term").path("code").asString()))
                .as("the weekly slots, as the catalogue's categories").containsExactly("WEEKDAY_EVENING", "WEEKEND");
        assertThat(exportedFlat.path("service_at_locations").path(0).path("location").path("accessibility")
                .path(0).path("description").asString()).isEqualTo("step free");
        assertThat(exportedFlat.path("url").asString()).isEqualTo("https://ccl.example.org/esol");
        assertThat(exportedFlat.path("email").asString()).isEqualTo("esol@ccl.example.org");
        assertThat(exportedFlat.path("phones").path(0).path("number").asString()).isEqualTo("0113 496 0010");
        assertThat(exportedFlat.path("contacts").path(0).path("name").asString()).isEqualTo("ESOL tutor");
        assertThat(exportedFlat.path("contacts").path(0).path("title").asString()).isEqualTo("Tutor");
        assertThat(exportedFlat.path("contacts").path(0).path("email").asString()).isEqualTo("tutor@ccl.example.org");
        assertThat(exportedFlat.path("contacts").path(0).path("phones").path(0).path("number").asString())
                .isEqualTo("0113 496 0011");
        assertThat(exportedFlat.path("eligibility_description").asString())
                .isEqualTo("Adults whose first language is not English.");
        assertThat(exportedFlat.path("fees_description").asString())
                .isEqualTo("Free if you get Universal Credit, otherwise 25.50 a term.");
        assertThat(exportedFlat.path("service_at_locations").valueStream()
                .map(l -> l.path("location").path("location_type").asString())).containsExactly("physical");
        JsonNode exportedNested = services.path("contents").valueStream()
                .filter(service -> service.path("id").asString().equals(nestedService)).findFirst().orElseThrow();
        assertThat(exportedNested.path("service_at_locations").valueStream()
                .map(l -> l.path("location").path("location_type").asString() + " "
                        + l.path("location").path("url").asString("-")))
                .containsExactly("physical -", "virtual https://learn.example.org/digital");
        JsonNode exportedOrganization = organizations.path("contents").valueStream()
                .filter(o -> o.path("id").asString().equals(org)).findFirst().orElseThrow();
        assertThat(exportedOrganization.path("description").asString()).isEqualTo("Adult learning.");
        assertThat(exportedOrganization.path("email").asString()).isEqualTo("hello@ccl.example.org");
        assertThat(exportedOrganization.path("website").asString()).isEqualTo("https://ccl.example.org");
        assertThat(exportedOrganization.path("phones").valueStream().map(p -> p.path("number").asString()))
                .containsExactly("0113 496 0001");
        assertThat(exportedOrganization.path("contacts").path(0).path("phones").path(0).path("number").asString())
                .isEqualTo("0113 496 0000");
        organizations.path("contents").forEach(o -> assertThat(validate(organizationSchema, o))
                .as(o.path("id").asString()).isEmpty());
        assertThat(validate(serviceSchema, HttpApi.JSON.readTree("{\"id\": \"x\", \"name\": 1}"))).as("the validator bites")
                .isNotEmpty();

        // ...and importing what was exported changes nothing either.
        ObjectNode exported = HttpApi.JSON.createObjectNode();
        ArrayNode exportedOrganizations = exported.putArray("organizations");
        organizations.path("contents").forEach(o -> {
            if (o.path("id").asString().equals(org)) {
                exportedOrganizations.add(o);
            }
        });
        ArrayNode exportedServices = exported.putArray("services");
        services.path("contents").forEach(s -> {
            if (s.path("organization_id").asString().equals(org)) {
                exportedServices.add(s);
            }
        });
        assertThat(exportedServices).hasSize(5);
        long versionBefore = flat.path("version").asLong();
        JsonNode roundTrip = importDocument(exported).body();
        assertThat(roundTrip.path("organizations").path("unchanged").asInt()).isEqualTo(1);
        assertThat(roundTrip.path("services").path("unchanged").asInt()).as(roundTrip.toString()).isEqualTo(5);
        assertThat(roundTrip.path("warnings")).isEmpty();
        assertThat(roundTrip.path("refused")).isEmpty();
        assertThat(api().get("/api/opportunities/opp-" + flatService, TestTokens.worker(COUNCIL)).body()
                .path("version").asLong()).isEqualTo(versionBefore);
        // The markers: the document again with the organization's sector changed and the service inactive announces
        // an agency update and a withdrawal, each after anything the round trip announced on the same key.
        ((ObjectNode) document.path("organizations").path(0).path("attributes").path(0).path("taxonomy_term"))
                .put("code", "VOLUNTARY");
        ((ObjectNode) document.path("services").path(0)).put("status", "inactive");
        assertThat(importDocument(document).status()).isEqualTo(200);
        opportunityTopic.await(r -> isOfType(r, "opp-" + flatService, EventType.OPPORTUNITY_WITHDRAWN.type()), 1,
                EVENT_DEADLINE);
        agencyTopic.await(r -> isOfType(r, "agency-" + org, EventType.AGENCY_UPDATED.type()), 1, EVENT_DEADLINE);
        assertThat(opportunityTopic.recorded(r -> ("opp-" + flatService).equals(r.key())))
                .as("the round trip announced nothing").extracting(OpportunityCatalogueServiceTest::typeOf)
                .containsExactly(EventType.OPPORTUNITY_PUBLISHED.type(), EventType.OPPORTUNITY_WITHDRAWN.type());
        assertThat(agencyTopic.recorded(r -> ("agency-" + org).equals(r.key())))
                .as("the round trip announced nothing").extracting(OpportunityCatalogueServiceTest::typeOf)
                .containsExactly(EventType.AGENCY_REGISTERED.type(), EventType.AGENCY_UPDATED.type());
    }

    @Test
    void organizationsArePagedByTheStore() {
        importDocument(sample(uuid(), uuid(), uuid(), uuid(), uuid()));
        importDocument(sample(uuid(), uuid(), uuid(), uuid(), uuid()));
        JsonNode first = api().get("/api/hsds/organizations?per_page=1", TestTokens.worker(COUNCIL)).body();
        JsonNode second = api().get("/api/hsds/organizations?page=2&per_page=1", TestTokens.worker(COUNCIL)).body();
        long total = first.path("total_items").asLong();

        assertThat(total).isGreaterThanOrEqualTo(2);
        assertThat(first.path("contents")).hasSize(1);
        assertThat(second.path("contents")).hasSize(1);
        assertThat(first.path("contents").path(0).path("id").asString())
                .isNotEqualTo(second.path("contents").path(0).path("id").asString());
        assertThat(first.path("total_pages").asLong()).isEqualTo(total);
        assertThat(first.path("first_page").asBoolean()).isTrue();
        JsonNode beyond = api().get("/api/hsds/organizations?page=" + (total + 1) + "&per_page=1",
                TestTokens.worker(COUNCIL)).body();
        assertThat(beyond.path("contents")).isEmpty();
        assertThat(beyond.path("last_page").asBoolean()).isTrue();
        JsonNode all = all("/api/hsds/organizations");
        assertThat(all.path("contents").size()).isEqualTo((int) Math.min(total, 500));
    }

    @Test
    void aChangedDocumentUpdatesAndAnInactiveServiceIsClosedUntilItsSourceSaysActiveAgain() {
        String org = uuid();
        String flatService = uuid();
        ObjectNode document = sample(org, flatService, uuid(), uuid(), uuid());
        importDocument(document);
        ObjectNode service = (ObjectNode) document.path("services").path(0);
        service.put("description", "Friendly English practice, now on Fridays too.");

        JsonNode changed = importDocument(document).body();
        assertThat(changed.path("services").path("updated").asInt()).isEqualTo(1);
        assertThat(opportunityTopic.await(r -> isOfType(r, "opp-" + flatService,
                EventType.OPPORTUNITY_UPDATED.type()), 1, EVENT_DEADLINE)).hasSize(1);

        for (String closed : List.of("inactive", "temporarily closed")) {
            service.put("status", closed);
            JsonNode closing = importDocument(document).body();
            assertThat(refusalsOf(closing, flatService)).as(closed).isEmpty();
            assertThat(closing.path("services").path("updated").asInt()).as(closed).isEqualTo(1);
            assertThat(api().get("/api/opportunities/opp-" + flatService, TestTokens.worker(COUNCIL)).text("status"))
                    .as(closed + ": takes no referrals for now").isEqualTo("TEMPORARILY_CLOSED");
            assertThat(api().get("/api/hsds/services/" + flatService, TestTokens.worker(COUNCIL)).text("status"))
                    .isEqualTo("temporarily closed");
            assertThat(importDocument(document).body().path("services").path("updated").asInt())
                    .as("the same again changes nothing").isZero();

            service.put("status", "active");
            JsonNode reopening = importDocument(document).body();
            assertThat(refusalsOf(reopening, flatService)).as("active again after " + closed + ": no refusal")
                    .isEmpty();
            assertThat(reopening.path("services").path("updated").asInt()).isEqualTo(1);
            assertThat(api().get("/api/opportunities/opp-" + flatService, TestTokens.worker(COUNCIL)).text("status"))
                    .isEqualTo("PUBLISHED");
            assertThat(api().get("/api/hsds/services/" + flatService, TestTokens.worker(COUNCIL)).text("status"))
                    .isEqualTo("active");
        }
        // Other services learnt that it took no referrals, then did again, twice.
        assertThat(opportunityTopic.await(r -> ("opp-" + flatService).equals(r.key()), 6, EVENT_DEADLINE).stream()
                .map(OpportunityCatalogueServiceTest::typeOf).filter(type -> !type.equals(
                        EventType.OPPORTUNITY_UPDATED.type()))).containsExactly(EventType.OPPORTUNITY_PUBLISHED.type(),
                EventType.OPPORTUNITY_WITHDRAWN.type(), EventType.OPPORTUNITY_PUBLISHED.type(),
                EventType.OPPORTUNITY_WITHDRAWN.type(), EventType.OPPORTUNITY_PUBLISHED.type());

        // A service new to the catalogue that is not operating is not added, until its source says it is.
        String later = uuid();
        ObjectNode newcomer = HttpApi.JSON.createObjectNode();
        newcomer.putArray("services").addObject().put("id", later).put("organization_id", org)
                .put("name", "Conversation club").put("status", "temporarily closed");
        assertThat(importDocument(newcomer).body().path("refused").path(0).path("code").asString())
                .isEqualTo("NOT_LISTED");
        ((ObjectNode) newcomer.path("services").path(0)).put("status", "active");
        assertThat(importDocument(newcomer).body().path("services").path("created").asInt()).isEqualTo(1);
    }

    /** The codes of what a report refused of the record {@code id}. */
    private static List<String> refusalsOf(JsonNode report, String id) {
        return report.path("refused").valueStream().filter(r -> r.path("id").asString().equals(id))
                .map(r -> r.path("code").asString()).toList();
    }

    /** One organization saying, through its attributes, that it is a college. */
    private static String collegeOrganization(String org, String name) {
        return """
                {"organizations": [{"id": "%s", "name": "%s", "description": "",
                  "attributes": [
                    {"id": "%s", "taxonomy_term": {"id": "%s", "code": "COLLEGE", "name": "College",
                     "description": "Kind", "taxonomy": "pathways-agency-kind"}},
                    {"id": "%s", "taxonomy_term": {"id": "%s", "code": "PUBLIC", "name": "Public",
                     "description": "Sector", "taxonomy": "pathways-agency-sector"}}]}]}
                """.formatted(org, name, uuid(), uuid(), uuid(), uuid());
    }

    @Test
    void onlyAPlatformAdministratorsImportSetsAnAgencysKind() {
        // An agency's administrator cannot make an organization a college by importing it: refused, nothing written.
        String org = uuid();
        assertThat(api().post("/api/hsds/import", TestTokens.worker(COLLEGE), collegeOrganization(org, "Self-made"))
                .isProblem(403, "forbidden")).isTrue();
        assertThat(api().get("/api/agencies/agency-" + org, TestTokens.worker(COUNCIL)).isProblem(404, "not-found"))
                .isTrue();

        // A platform administrator's import does set it...
        assertThat(api().post("/api/hsds/import", admin(), collegeOrganization(org, "Imported College")).status())
                .isEqualTo(200);
        JsonNode imported = api().get("/api/agencies/agency-" + org, TestTokens.worker(COUNCIL)).body();
        assertThat(imported.path("kind").asString()).isEqualTo("COLLEGE");
        assertThat(imported.path("status").asString()).isEqualTo("APPROVED");

        // ...and approves an agency pending since its own administrator registered it (matched on its HSDS id).
        String pendingId = "agency-" + uuid();
        HttpApi.Response pending = api().post("/api/agencies", TestTokens.worker(pendingId), Map.of(
                "name", "Pending College", "sector", "PUBLIC", "kind", "COLLEGE", "acceptsDirectReferrals", true));
        assertThat(pending.text("status")).isEqualTo("PENDING");
        String pendingOrg = Agency.hsdsIdOf(pendingId);
        assertThat(api().post("/api/hsds/import", admin(), collegeOrganization(pendingOrg, "Pending College"))
                .status()).isEqualTo(200);
        assertThat(api().get("/api/agencies/" + pendingId, TestTokens.worker(COUNCIL)).text("kind"))
                .isEqualTo("COLLEGE");
        List<ConsumerRecord<String, byte[]>> registered = agencyTopic.await(
                r -> isOfType(r, pendingId, EventType.AGENCY_REGISTERED.type()), 1, EVENT_DEADLINE);
        assertThat(cloudEvent(registered.getFirst()).path("data").path("kind").asString()).isEqualTo("COLLEGE");
    }

    @Test
    void onlyPlatformAdministratorsImportAndHostileDocumentsAreBadRequests() {
        assertThat(api().post("/api/hsds/import", TestTokens.worker(COLLEGE), "{}").isProblem(403, "forbidden"))
                .isTrue();
        for (String bad : List.of("[]", "\"hsds\"", "{\"services\": {}}", "{\"organizations\": 3}", "{\"services\": ",
                "")) {
            HttpApi.Response response = api().post("/api/hsds/import", admin(), bad);
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
        }
        JsonNode injected = importDocument(HttpApi.JSON.readTree("{\"organizations\": [{\"id\": {\"$gt\": \"\"}, "
                + "\"name\": {\"$ne\": 1}}]}")).body();
        assertThat(injected.path("refused").path(0).path("reason").asString()).isEqualTo("id is not a UUID");
        assertThat(api().get("/api/hsds/services?per_page=100000", TestTokens.worker(COUNCIL)).status())
                .isEqualTo(400);
        assertThat(api().get("/api/hsds/organizations", null).status()).isEqualTo(401);
    }
}
