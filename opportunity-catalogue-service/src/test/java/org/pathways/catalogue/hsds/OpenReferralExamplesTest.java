package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.networknt.schema.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The Open Referral standard's own examples (HSDS 3.0 and the Open Referral UK profile, pinned in
 * {@code src/test/resources/hsds} with their licence) import as they come, in every form they are published in, and
 * what was imported exports as valid HSDS 3.0. Large feeds go through the background job API.
 */
class OpenReferralExamplesTest extends OpportunityCatalogueServiceTest {

    private static final Path EXAMPLES = Path.of("src/test/resources/hsds");
    private static final String ORGANIZATION = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610";
    private static final String SERVICE = "ac148810-d857-441c-9679-408f346de14b";
    private static final String OPERATOR_AGENCY = "agency-platform";

    /** The compiled HSDS 3.0 schemas beside the checkout ({@code ../shared/standards}), when they are there. */
    private static Schema serviceSchema;
    private static Schema organizationSchema;

    @Autowired
    ImportJobs jobs;
    @Autowired
    MongoTemplate mongo;

    @BeforeAll
    static void loadSchemas() {
        HsdsSchemas schemas = HsdsSchemas.load();
        if (schemas != null) {
            serviceSchema = schemas.service();
            organizationSchema = schemas.organization();
        }
    }

    private static String admin() {
        return TestTokens.token("platform-admin", OPERATOR_AGENCY, Role.PLATFORM_ADMIN);
    }

    private static List<Path> jsonExamples(String profile) throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES.resolve(profile))) {
            // Organizations first, so a service_at_location naming only its service's organization_id finds it.
            // organization_full.json (with its service) first of all.
            return files.filter(f -> f.toString().endsWith(".json")).sorted(java.util.Comparator
                    .comparing((Path f) -> !f.getFileName().toString().startsWith("organization"))
                    .thenComparing(f -> f.getFileName().toString())).toList();
        }
    }

    /** The exported organization and service of the examples, valid against the compiled schemas. */
    private void exportIsValidHsds() {
        JsonNode organization = api().get("/api/hsds/organizations?per_page=500", TestTokens.worker(COUNCIL)).body()
                .path("contents").valueStream().filter(o -> o.path("id").asString().equals(ORGANIZATION))
                .findFirst().orElseThrow();
        JsonNode service = exportedService();
        assertThat(service.path("organization_id").asString()).isEqualTo(ORGANIZATION);
        if (serviceSchema == null) {
            return; // the shared standards folder is not beside this checkout: the import is still proven
        }
        assertThat(organizationSchema.validate(organization)).as(organization.toString()).isEmpty();
        assertThat(serviceSchema.validate(service)).as(service.toString()).isEmpty();
    }

    private JsonNode exportedService() {
        for (int page = 1; ; page++) {
            JsonNode contents = api().get("/api/hsds/services?per_page=500&page=" + page, TestTokens.worker(COUNCIL))
                    .body().path("contents");
            assertThat(contents.isEmpty()).as("the example's service is exported").isFalse();
            for (JsonNode service : contents) {
                if (service.path("id").asString().equals(SERVICE)) {
                    return service;
                }
            }
        }
    }

    @Test
    void everyJsonExampleOfTheStandardAndTheUkProfileImportsAndExportsAsValidHsds() throws IOException {
        for (String profile : List.of("openreferral-3.0", "openreferral-uk")) {
            for (Path example : jsonExamples(profile)) {
                HttpApi.Response response = api().post("/api/hsds/import", admin(), Files.readString(example));
                String name = profile + "/" + example.getFileName();
                assertThat(response.status()).as(name + " " + response.body()).isEqualTo(200);
                assertThat(response.body().path("refused")).as(name + " " + response.body()).isEmpty();
                exportIsValidHsds();
                JsonNode service = api().get("/api/opportunities/opp-" + SERVICE, TestTokens.worker(COUNCIL))
                        .body();
                assertThat(service.path("title").asString()).isEqualTo("Community Counselling");
                assertThat(service.path("providerAgencyId").asString()).isEqualTo("agency-" + ORGANIZATION);
                if (name.equals("openreferral-3.0/service_full.json")) {
                    assertThat(service.path("phone").asString()).as("the example's number, as written")
                            .isEqualTo("\"+44 1234 234567\"");
                    assertThat(service.path("costPence").asInt()).isEqualTo(3500);
                }
            }
        }
        JsonNode agency = api().get("/api/agencies/agency-" + ORGANIZATION, TestTokens.worker(COUNCIL)).body();
        assertThat(agency.path("name").asString()).isEqualTo("Example Organization Inc.");
    }

    @Test
    void aServicesSummaryOfItsOrganizationNeverChangesTheAgency() throws IOException {
        api().post("/api/hsds/import", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/organization_full.json")));
        JsonNode before = api().get("/api/agencies/agency-" + ORGANIZATION, TestTokens.worker(COUNCIL)).body();
        assertThat(before.path("contacts").path(0).path("name").asString()).isEqualTo("Ann Persona");

        JsonNode report = api().post("/api/hsds/import", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/service_list.json"))).body();

        assertThat(report.path("organizations").path("unchanged").asInt()).isEqualTo(1);
        JsonNode after = api().get("/api/agencies/agency-" + ORGANIZATION, TestTokens.worker(COUNCIL)).body();
        assertThat(after.path("contacts")).isEqualTo(before.path("contacts"));
        assertThat(after.path("version")).isEqualTo(before.path("version"));
    }

    @Test
    void theServiceExampleReportsWhatItCouldNotKeepFieldByField() throws IOException {
        JsonNode report = api().post("/api/hsds/import", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/service_full.json"))).body();

        assertThat(report.path("services").path("refused").asInt()).isZero();
        assertThat(report.path("warnings").valueStream().map(w -> w.path("table").asString() + " "
                + w.path("code").asString() + " " + w.path("field").asString("")))
                .contains("locations COORDINATES latitude, longitude")
                .anyMatch(w -> w.startsWith("services NOT_MAPPED alternate_name"));
    }

    @Test
    void aJobsStatusListsWhatTheServiceExampleLostRecordByRecordAndFieldByFieldWithoutItsPeople() throws IOException {
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/service_full.json")));
        assertThat(submitted.status()).isEqualTo(202);

        JsonNode done = awaitDone(submitted.location().orElseThrow());

        assertThat(done.path("refused").asInt()).isZero();
        JsonNode notMapped = done.path("report").path("warnings").valueStream()
                .filter(w -> w.path("table").asString().equals("services")
                        && w.path("code").asString().equals("NOT_MAPPED"))
                .findFirst().orElseThrow();
        assertThat(notMapped.path("id").asString()).isEqualTo(SERVICE);
        assertThat(notMapped.path("field").asString()).contains("contacts.department", "phones.extension",
                "locations.transportation", "addresses.postal_code", "schedules.opens_at");
        assertThat(done.path("warnings").asInt()).isEqualTo(done.path("report").path("warnings").size());
        assertThat(done.toString()).as("no staff contact's details in the report")
                .doesNotContain("Ann Persona", "Reception Manager", "email@example.com", "234567");
    }

    @Test
    void theServiceExampleExportsNoOpeningHoursNorAddressThatWasNotGiven() throws IOException {
        api().post("/api/hsds/import", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/service_full.json")));

        JsonNode service = exportedService();

        // Given: Thursdays and Fridays, 10:00 to 18:00, described in words. The catalogue keeps the words and the
        // slot (weekday daytime), not the hours: no days or hours of its own making (it wrote Mon-Fri 09:00-17:00).
        assertThat(service.path("schedules").valueStream().map(s -> s.path("description").asString()))
                .containsExactly("The service is available from 10 am to 6pm weekdays. The service is not available "
                        + "on public holidays.");
        service.path("schedules").forEach(schedule -> assertThat(schedule.propertyNames())
                .doesNotContain("byday", "opens_at", "closes_at", "freq"));
        // Given: an address at 1-30 Main Street, MyCity, ABC 1234, US. The catalogue keeps the city: no street of its
        // own making (it wrote the venue's name), no country (it wrote GB).
        JsonNode location = service.path("service_at_locations").path(0).path("location");
        assertThat(location.path("name").asString()).isEqualTo("MyCity Civic Center");
        JsonNode address = location.path("addresses").path(0);
        assertThat(address.path("city").asString()).isEqualTo("MyCity");
        for (String notGiven : List.of("address_1", "state_province", "postal_code", "country")) {
            assertThat(address.path(notGiven).asString()).as(notGiven).isEmpty();
        }
        if (serviceSchema != null) {
            assertThat(serviceSchema.validate(service)).as(service.toString()).isEmpty();
        }
    }

    @Test
    void theTabularExamplesImportAsJobsFromCsvFilesAndFromAZip() throws IOException {
        // The standard's CSV files as a multipart upload...
        String boundary = "hsds-" + UUID.randomUUID();
        ByteArrayOutputStream multipart = new ByteArrayOutputStream();
        for (Path file : csvFiles("openreferral-3.0")) {
            multipart.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\""
                    + file.getFileName() + "\"\r\nContent-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            multipart.write(Files.readAllBytes(file));
            multipart.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        multipart.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpApi.Response submitted = api().send(api().request("/api/hsds/imports", admin())
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart.toByteArray())));

        assertThat(submitted.status()).as(String.valueOf(submitted.body())).isEqualTo(202);
        String location = submitted.location().orElseThrow();
        assertThat(location).startsWith("/api/hsds/imports/");
        assertThat(submitted.body().path("total").asInt()).isEqualTo(2);
        JsonNode done = awaitDone(location);
        assertThat(done.path("read").asInt()).isEqualTo(2);
        assertThat(done.path("imported").asInt()).isEqualTo(2);
        assertThat(done.path("refused").asInt()).isZero();
        assertThat(done.path("report").path("refused")).isEmpty();
        exportIsValidHsds();

        // ...and the UK profile's as a zip.
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (Path file : csvFiles("openreferral-uk")) {
                out.putNextEntry(new ZipEntry("uk/" + file.getFileName()));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
        HttpApi.Response zipped = api().send(api().request("/api/hsds/imports", admin())
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip.toByteArray())));
        assertThat(zipped.status()).as(String.valueOf(zipped.body())).isEqualTo(202);
        JsonNode ukDone = awaitDone(zipped.location().orElseThrow());
        assertThat(ukDone.path("read").asInt()).isEqualTo(2);
        assertThat(ukDone.path("refused").asInt()).as(ukDone.toString()).isZero();
        exportIsValidHsds();
    }

    @Test
    void aJobIsSeenOnlyByThePlatformAdministratorsOfTheAgencyThatStartedIt() throws IOException {
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(),
                Files.readString(EXAMPLES.resolve("openreferral-3.0/organization_full.json")));
        assertThat(submitted.status()).isEqualTo(202);
        String location = submitted.location().orElseThrow();
        awaitDone(location);

        String otherAdmin = TestTokens.token("other-admin", "agency-elsewhere", Role.PLATFORM_ADMIN);
        assertThat(api().get(location, otherAdmin).isProblem(404, "not-found")).isTrue();
        assertThat(api().get(location, TestTokens.worker(OPERATOR_AGENCY)).isProblem(404, "not-found")).isTrue();
        assertThat(api().get("/api/hsds/imports/" + UUID.randomUUID(), admin()).isProblem(404, "not-found"))
                .as("exactly like a job that does not exist").isTrue();
        assertThat(api().post("/api/hsds/imports", TestTokens.worker(COLLEGE), "{}").isProblem(403, "forbidden"))
                .isTrue();
        HttpApi.Response notZip = api().send(api().request("/api/hsds/imports", admin())
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofString("not a zip")));
        assertThat(notZip.isProblem(400, "not-hsds")).isTrue();
    }

    @Test
    void aJobLeftHalfDoneByAStoppedReplicaIsResumedFromItsPositionAndALiveOneIsLeftAlone() {
        String organization = UUID.randomUUID().toString();
        String neverReadAgain = UUID.randomUUID().toString();
        String service = UUID.randomUUID().toString();
        assertThat(api().post("/api/hsds/import", admin(), "{\"organizations\": [{\"id\": \"" + organization
                + "\", \"name\": \"Resumed Org\", \"description\": \"\"}]}").status()).isEqualTo(200);
        // A replica stopped after the first of two records: position 1, its lease run out.
        ImportJob stopped = new ImportJob(UUID.randomUUID().toString(), OPERATOR_AGENCY, 2,
                Instant.now().minusSeconds(600));
        stopped.status = ImportJob.Status.RUNNING;
        stopped.position = 1;
        stopped.progress.read = 1;
        stopped.leaseOwner = "a-stopped-replica";
        stopped.leaseUntil = Instant.now().minusSeconds(60);
        mongo.insert(List.of(
                new StagedRecord(null, stopped.id, 0, StagedRecord.Table.ORGANIZATION,
                        "{\"id\": \"" + neverReadAgain + "\", \"name\": \"Already read\", \"description\": \"\"}"),
                new StagedRecord(null, stopped.id, 1, StagedRecord.Table.SERVICE,
                        "{\"id\": \"" + service + "\", \"organization_id\": \"" + organization
                                + "\", \"name\": \"Resumed service\", \"status\": \"active\"}")),
                StagedRecord.class);
        mongo.insert(stopped);
        // Another replica is working on this one right now.
        ImportJob live = new ImportJob(UUID.randomUUID().toString(), OPERATOR_AGENCY, 1, Instant.now());
        live.status = ImportJob.Status.RUNNING;
        live.leaseOwner = "a-live-replica";
        live.leaseUntil = Instant.now().plus(Duration.ofMinutes(10));
        mongo.insert(live);

        jobs.drain();

        JsonNode resumed = awaitDone("/api/hsds/imports/" + stopped.id);
        assertThat(resumed.path("read").asInt()).isEqualTo(2);
        assertThat(resumed.path("report").path("services").path("created").asInt()).isEqualTo(1);
        assertThat(api().get("/api/opportunities/opp-" + service, TestTokens.worker(COUNCIL)).text("title"))
                .isEqualTo("Resumed service");
        assertThat(api().get("/api/agencies/agency-" + neverReadAgain, TestTokens.worker(COUNCIL))
                .isProblem(404, "not-found")).as("records before the saved position are not read again").isTrue();
        assertThat(mongo.count(org.springframework.data.mongodb.core.query.Query.query(
                org.springframework.data.mongodb.core.query.Criteria.where("jobId").is(stopped.id)),
                StagedRecord.class)).as("a finished job's staged records are gone").isZero();
        JsonNode untouched = api().get("/api/hsds/imports/" + live.id, admin()).body();
        assertThat(untouched.path("status").asString()).isEqualTo("RUNNING");
        assertThat(untouched.path("read").asInt()).isZero();
    }

    @Test
    void theJobApiIsDocumentedWithoutAStrayParameter() {
        // The isolation matrix of the end-to-end tests calls every documented operation with the parameters listed.
        // (springdoc merges the three POST mappings into one operation and lists only some of their body types.)
        JsonNode document = api().get("/v3/api-docs", null).body();
        JsonNode submit = document.path("paths").path("/api/hsds/imports").path("post");
        assertThat(submit.path("requestBody").path("content").propertyNames()).contains("application/json");
        assertThat(submit.path("parameters").valueStream().map(p -> p.path("name").asString()))
                .as("the zip stream is the body, not a parameter").containsOnly("type");
        assertThat(document.path("paths").path("/api/hsds/imports/{id}").path("get").isObject()).isTrue();
    }

    private JsonNode awaitDone(String location) {
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode job = api().get(location, admin()).body();
            seen.add(job);
            return "DONE".equals(job.path("status").asString());
        });
        return seen.getLast();
    }

    private static List<Path> csvFiles(String profile) throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES.resolve(profile).resolve("csv"))) {
            return files.sorted().toList();
        }
    }
}
