package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import jakarta.validation.Validation;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.catalogue.agency.AgencyDetails;
import org.pathways.catalogue.hsds.HsdsMapper.AgencyEntry;
import org.pathways.catalogue.hsds.HsdsMapper.Mapped;
import org.pathways.catalogue.hsds.HsdsMapper.OpportunityEntry;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.Benefit;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.DraftOpportunity;
import org.pathways.catalogue.opportunity.Eligibility;
import org.pathways.catalogue.opportunity.FreeFor;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.Schedule;
import org.pathways.catalogue.opportunity.TimeSlot;
import org.pathways.catalogue.opportunity.Venue;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.opportunity.OpportunityKind;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The pure HSDS ↔ catalogue mapping, both ways, without a store: the standard's examples and our own records. */
class HsdsMapperTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Path EXAMPLES = Path.of("src/test/resources/hsds");
    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

    private final HsdsMapper mapper = new HsdsMapper(Validation.buildDefaultValidatorFactory().getValidator());

    private static JsonNode example(String file) throws IOException {
        return JSON.readTree(Files.readString(EXAMPLES.resolve(file)));
    }

    private static Set<String> codes(Mapped<?> mapped) {
        return mapped.findings().stream().map(f -> f.code() + (f.field() == null ? "" : " " + f.field()))
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void theStandardsServiceExampleMapsWithItsNestedOrganizationAndOddValuesKeptOrReported() throws IOException {
        HsdsFeed feed = HsdsFeed.fromJson(example("openreferral-3.0/service_full.json"), null);
        assertThat(feed.organizations()).as("the service's nested organization").hasSize(1);
        assertThat(feed.services()).hasSize(1);
        assertThat(feed.services().getFirst().path("organization_id").asString())
                .isEqualTo(feed.organizations().getFirst().path("id").asString());

        Mapped<AgencyEntry> organization = mapper.agency(feed.organizations().getFirst());
        assertThat(organization.refused()).isFalse();
        assertThat(organization.value().details().name()).isEqualTo("Example Organization Inc.");

        Mapped<OpportunityEntry> service = mapper.opportunity(feed.services().getFirst());
        assertThat(service.refused()).as(service.findings().toString()).isFalse();
        DraftOpportunity details = service.value().details();
        assertThat(service.value().status()).isEqualTo(OpportunityStatus.PUBLISHED);
        assertThat(details.title()).isEqualTo("Community Counselling");
        assertThat(details.phone()).as("HSDS gives number no format: kept as written")
                .isEqualTo("\"+44 1234 234567\"");
        assertThat(details.contacts()).extracting(AgencyContact::phone).containsExactly("\"+44 1234 234567\"");
        assertThat(details.costPence()).as("currency gbp, lower case, is pounds").isEqualTo(3500);
        assertThat(details.costCurrency()).isNull();
        assertThat(details.venues()).containsExactly(new Venue("MyCity Civic Center", "MyCity", null, null));
        assertThat(details.eligibility().minAge()).isEqualTo(12);
        assertThat(details.languages()).containsExactly("ur");
        assertThat(details.schedule().slots()).containsExactly(TimeSlot.WEEKDAY_DAYTIME);
        assertThat(details.eligibility().residentIn()).as("a 177-character sentence is not a place").isEmpty();
        assertThat(codes(service)).contains("COORDINATES latitude, longitude", "FIELD_DROPPED service_areas")
                .anyMatch(code -> code.startsWith("NOT_MAPPED alternate_name"));
        assertThat(service.findings()).noneMatch(f -> ImportIssue.valueOf(f.code()).refuses);
    }

    @Test
    void whatTheStandardsServiceExampleLosesIsReportedByFieldUnderItsServiceWithoutAnyValue() throws IOException {
        HsdsFeed feed = HsdsFeed.fromJson(example("openreferral-3.0/service_full.json"), null);
        ObjectNode service = (ObjectNode) feed.services().getFirst();
        String serviceId = service.path("id").asString();
        // The example as a feed might send it: an opening time in words, a kind and a slot Pathways does not have.
        ((ObjectNode) service.path("schedules").path(0)).put("opens_at", "10am");
        ObjectNode term = service.putArray("attributes").addObject().put("id", uuid()).put("link_id", serviceId)
                .putObject("taxonomy_term").put("id", uuid()).put("taxonomy", "pathways-opportunity-kind")
                .put("code", "WORKSHOP").put("name", "WORKSHOP");
        ((tools.jackson.databind.node.ArrayNode) service.path("attributes")).addObject().put("id", uuid())
                .putObject("taxonomy_term").put("id", uuid()).put("taxonomy", "pathways-time-slot")
                .put("code", "LUNCHTIMES");
        assertThat(term.path("code").asString()).isEqualTo("WORKSHOP");

        Mapped<OpportunityEntry> mapped = mapper.opportunity(service);

        assertThat(mapped.refused()).isFalse();
        DraftOpportunity details = mapped.value().details();
        assertThat(details.kind()).as("the default, said so").isEqualTo(OpportunityKind.ADVICE);
        assertThat(details.schedule().slots()).as("no weekday slot guessed from '10am'").isEmpty();
        java.util.Map<String, ImportFinding> byCode = mapped.findings().stream()
                .collect(java.util.stream.Collectors.toMap(ImportFinding::code, f -> f, (a, b) -> a));
        assertThat(byCode.get("UNKNOWN_CODE").field())
                .isEqualTo("attributes (pathways-opportunity-kind, pathways-time-slot)");
        assertThat(byCode.get("NOT_READ").field()).isEqualTo("schedules.opens_at");
        assertThat(byCode.get("NOT_MAPPED").field()).contains("contacts.department", "phones.extension",
                "phones.description", "service_at_locations.description", "locations.transportation",
                "addresses.address_1", "addresses.postal_code", "schedules.closes_at", "schedules.notes",
                "cost_options.amount_description");
        // Each names the service and its fields, never a value: no contact's name, department or number.
        for (String code : List.of("UNKNOWN_CODE", "NOT_READ", "NOT_MAPPED")) {
            ImportFinding finding = byCode.get(code);
            assertThat(finding.table()).isEqualTo("services");
            assertThat(finding.id()).isEqualTo(serviceId);
            assertThat(finding.toString()).doesNotContain("Ann Persona", "Reception Manager", "234567", "10am",
                    "WORKSHOP", "LUNCHTIMES");
        }
    }

    @Test
    void anOpeningTimeIsReadAsATimeNotComparedAsText() {
        ObjectNode morning = service("Morning class");
        morning.putArray("schedules").addObject().put("id", uuid()).put("byday", "MO").put("opens_at", "9:30");
        ObjectNode evening = service("Evening class");
        evening.putArray("schedules").addObject().put("id", uuid()).put("byday", "WE").put("opens_at", "18:00:00Z");

        assertThat(mapper.opportunity(morning).value().details().schedule().slots())
                .as("9:30 is not after 17:00 because '9' > '1'").containsExactly(TimeSlot.WEEKDAY_DAYTIME);
        assertThat(mapper.opportunity(evening).value().details().schedule().slots())
                .containsExactly(TimeSlot.WEEKDAY_EVENING);
        assertThat(mapper.opportunity(morning).findings()).extracting(ImportFinding::code)
                .as("read, and reported only as hours the catalogue does not keep").containsExactly("NOT_MAPPED");
    }

    @Test
    void aCostInAnotherCurrencyIsKeptWithItsCurrency() {
        ObjectNode service = service("Evening Spanish");
        service.putArray("cost_options").addObject().put("id", uuid()).put("currency", "eur").put("amount", 12.5);

        DraftOpportunity details = mapper.opportunity(service).value().details();

        assertThat(details.costPence()).isEqualTo(1250);
        assertThat(details.costCurrency()).isEqualTo("EUR");
        ObjectNode exported = HsdsMapper.service(Opportunity.draft("opp-" + service.path("id").asString(), details,
                "agency-x", "test", NOW), uuid());
        assertThat(exported.path("cost_options").path(0).path("currency").asString()).isEqualTo("EUR");
        assertThat(exported.path("cost_options").path(0).path("amount").asDouble()).isEqualTo(12.5);
    }

    @Test
    void anOddValueIsLeftOutAndNamedWhileTheRecordIsKept() {
        ObjectNode service = service("Job club");
        service.putArray("phones").addObject().put("id", uuid()).put("number", "ask at reception");
        service.put("email", "not-an-e-mail");
        service.putArray("service_areas").addObject().put("id", uuid()).put("name", "x".repeat(101));
        service.putArray("cost_options").addObject().put("id", uuid()).put("currency", "pounds").put("amount", 3);

        Mapped<OpportunityEntry> mapped = mapper.opportunity(service);

        assertThat(mapped.refused()).isFalse();
        assertThat(mapped.value().details().title()).isEqualTo("Job club");
        assertThat(mapped.value().details().phone()).isNull();
        assertThat(mapped.value().details().email()).isNull();
        assertThat(mapped.value().details().eligibility().residentIn()).isEmpty();
        assertThat(mapped.value().details().costPence()).isNull();
        assertThat(codes(mapped)).containsExactlyInAnyOrder("FIELD_DROPPED email, phones, service_areas", "CURRENCY");
    }

    @Test
    void onlyWhatIdentifiesARecordRefusesIt() {
        ObjectNode nameless = service("x");
        nameless.remove("name");
        assertThat(codes(mapper.opportunity(nameless))).containsExactly("INVALID_FIELD name");
        assertThat(mapper.opportunity(nameless).refused()).isTrue();
        assertThat(codes(mapper.opportunity(service("x").put("status", "sleeping")))).containsExactly("UNKNOWN_STATUS");
        assertThat(codes(mapper.opportunity(service("x").put("id", "42")))).containsExactly("ID_NOT_UUID");
    }

    @Test
    void anOpportunityExportsAndReadsBackTheSame() {
        DraftOpportunity details = new DraftOpportunity("ESOL Entry 2", "English for speakers of other languages.",
                OpportunityKind.FORMAL_LEARNING, "E2", 12, List.of("esol", "english"), DeliveryMode.BLENDED,
                List.of(new Venue("Reginald Centre", "Chapeltown", 53.8189, -1.5336)),
                new Schedule(LocalDate.of(2027, 1, 11), LocalDate.of(2027, 3, 29), 12,
                        Set.of(TimeSlot.WEEKDAY_EVENING, TimeSlot.WEEKEND), "Mondays 6.30pm"),
                2550, Set.of(FreeFor.ON_BENEFITS),
                new Eligibility(16, 99, List.of("Chapeltown"), Set.of(Benefit.UNIVERSAL_CREDIT), "E1",
                        "Adults whose first language is not English."),
                Set.of(AccessibilityFeature.STEP_FREE, AccessibilityFeature.CRECHE), Set.of("en", "ar"), true,
                "https://ccl.example.org/esol", "esol@ccl.example.org", "0113 496 0010 (ext. 12)",
                List.of(new AgencyContact("ESOL tutor", "Tutor", "tutor@ccl.example.org", "+44 113 496 0011")),
                "Free on benefits.", "GBP");
        Opportunity opportunity = Opportunity.draft("opp-" + uuid(), details, "agency-ccl", "test", NOW);
        opportunity.publish(NOW);
        String organizationId = uuid();

        ObjectNode exported = HsdsMapper.service(opportunity, organizationId);
        Mapped<OpportunityEntry> read = mapper.opportunity(JSON.readTree(exported.toString()));

        assertThat(read.findings()).isEmpty();
        assertThat(read.value().details()).isEqualTo(opportunity.details());
        assertThat(read.value().organizationId()).isEqualTo(organizationId);
        assertThat(read.value().status()).isEqualTo(OpportunityStatus.PUBLISHED);
    }

    @Test
    void aServiceSaysWhetherItOperatesNotWhetherItHasRoomAndClosedForNowReadsBackAsClosedForNow() {
        Opportunity opportunity = Opportunity.draft("opp-" + uuid(), new DraftOpportunity("Job club", "",
                OpportunityKind.ADVICE, null, 1), "agency-x", "test", NOW);
        opportunity.publish(NOW);
        opportunity.takePlace("ref-1", "ref-1:TAKING", NOW);
        assertThat(opportunity.status()).isEqualTo(OpportunityStatus.FULL);
        assertThat(statusOf(opportunity)).as("full: it still runs, and keeps a waiting list").isEqualTo("active");

        opportunity.closeTemporarily(NOW);
        assertThat(statusOf(opportunity)).isEqualTo("temporarily closed");
        assertThat(mapper.opportunity(HsdsMapper.service(opportunity, uuid())).value().status())
                .as("and back").isEqualTo(OpportunityStatus.TEMPORARILY_CLOSED);
        assertThat(mapper.opportunity(service("x").put("status", "inactive")).value().status())
                .as("inactive: not operating now, the source may say active again")
                .isEqualTo(OpportunityStatus.TEMPORARILY_CLOSED);
        assertThat(mapper.opportunity(service("x").put("status", "defunct")).value().status())
                .isEqualTo(OpportunityStatus.ENDED);

        opportunity.withdraw(NOW);
        assertThat(statusOf(opportunity)).as("withdrawn here for good").isEqualTo("inactive");
    }

    private static String statusOf(Opportunity opportunity) {
        return HsdsMapper.service(opportunity, uuid()).path("status").asString();
    }

    @Test
    void anAgencyExportsAndReadsBackTheSame() {
        AgencyDetails details = new AgencyDetails("Chapeltown Community Learning", AgencySector.COMMUNITY,
                AgencyKind.COMMUNITY_GROUP, List.of("Chapeltown", "Harehills"),
                List.of(new AgencyContact("Referrals desk", "Coordinator", "desk@ccl.example.org", "0113 496 0000")),
                false, "https://ccl.example.org", null, "Adult learning.", "hello@ccl.example.org",
                "Freephone 0800 123 4567");
        Agency agency = Agency.imported(uuid(), details, NOW);

        Mapped<AgencyEntry> read = mapper.agency(JSON.readTree(HsdsMapper.organization(agency).toString()));

        assertThat(read.findings()).isEmpty();
        assertThat(agency.differsFrom(read.value().details())).isFalse();
        assertThat(read.value().details().kind()).isEqualTo(AgencyKind.COMMUNITY_GROUP);
        assertThat(read.value().details().acceptsDirectReferrals()).isFalse();
    }

    @Test
    void theTabularFormNestsEveryTableIntoItsRecords() throws IOException {
        HsdsTabular tabular = new HsdsTabular();
        try (Stream<Path> files = Files.list(EXAMPLES.resolve("openreferral-3.0/csv"))) {
            for (Path file : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    tabular.read(file.getFileName().toString(), new InputStreamReader(in, StandardCharsets.UTF_8));
                }
            }
        }
        HsdsFeed feed = HsdsFeed.fromTables(tabular.tables());

        assertThat(feed.organizations()).hasSize(1);
        assertThat(feed.services()).hasSize(1);
        JsonNode service = feed.services().getFirst();
        assertThat(service.path("phones").path(0).path("number").asString()).isEqualTo("\"+44 1234 234567\"");
        assertThat(service.path("service_at_locations").path(0).path("location").path("addresses").path(0)
                .path("city").asString()).isEqualTo("MyCity");
        Mapped<OpportunityEntry> mapped = mapper.opportunity(service);
        assertThat(mapped.refused()).isFalse();
        assertThat(mapped.value().details().venues()).extracting(Venue::locality).containsExactly("MyCity");
        assertThat(mapped.value().details().eligibility().maxAge()).as("numbers as CSV text").isEqualTo(100);
        assertThat(mapped.value().details().costPence()).isEqualTo(3500);
        assertThat(mapped.value().details().contacts()).extracting(AgencyContact::name).containsExactly("Ann Persona");
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private static ObjectNode service(String name) {
        ObjectNode service = JSON.createObjectNode();
        service.put("id", uuid());
        service.put("organization_id", uuid());
        service.put("name", name);
        service.put("status", "active");
        return service;
    }
}
