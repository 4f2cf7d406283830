package org.pathways.catalogue.hsds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.catalogue.agency.Agency;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreFaults;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A store that fails under an import job is the catalogue's trouble, not the provider's: the record is tried again,
 * and if the store stays down the job stops, interrupted and resumable, never reporting the provider's record as
 * refused. The feed is the standard's own organization example (an organization with its service), under fresh ids.
 */
class ImportJobStoreFailureTest extends OpportunityCatalogueServiceTest {

    private static final Path EXAMPLE = Path.of("src/test/resources/hsds/openreferral-3.0/organization_full.json");
    private static final String WORKER = "hsds-import-jobs";

    @Autowired
    ImportJobs jobs;
    @Autowired
    MongoTemplate mongo;

    @Autowired
    ImportAdmission admission;

    @AfterEach
    void heal() {
        StoreFaults.heal();
    }

    private static String admin() {
        return TestTokens.token("platform-admin", "agency-platform", Role.PLATFORM_ADMIN);
    }

    /** The example with its organization and service under new ids, so each test imports them afresh. */
    private record Feed(String organization, String service, String json) {
        /** The same feed as a provider sends it later, its organization and its service renamed. */
        Feed renamed() {
            return new Feed(organization, service, json.replace("\"Example Organization Inc.\"", "\"Example Org Ltd\"")
                    .replace("\"Community Counselling\"", "\"Community Counselling and Advice\""));
        }

        /**
         * Text of a report or of the catalogue's export, this feed's ids left out: they, and the ids the export derives
         * from them, differ from one test feed to another.
         */
        String withoutIds(JsonNode node) {
            return node.toString().replace(organization, "<organization>").replace(service, "<service>")
                    .replaceAll("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<derived>");
        }

        static Feed fresh() throws IOException {
            String organization = UUID.randomUUID().toString();
            String service = UUID.randomUUID().toString();
            String json = Files.readString(EXAMPLE)
                    .replace("d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", organization)
                    .replace("ac148810-d857-441c-9679-408f346de14b", service);
            return new Feed(organization, service, json);
        }
    }

    /**
     * The job's insert lands but its acknowledgement is lost: the job is in the store, so the records it refers to are
     * kept, and it imports them, instead of running over records that were removed when the submission failed.
     */
    @Test
    void aJobStoredThoughItsInsertFailedKeepsItsRecordsAndImportsThem() throws Exception {
        Feed feed = Feed.fresh();
        String submitter = "hsds-import-submitter-" + UUID.randomUUID();
        Instant before = Instant.now();
        StoreFaults.landThenFailNext(submitter, "hsdsImports", 1);
        RuntimeException[] failed = {null};
        Thread submitting = Thread.ofPlatform().name(submitter).start(() -> {
            try (ImportAdmission.Permit permit = admission.admit(0, ImportAdmission.JSON_BYTES);
                 JsonParser parser = JsonMapper.builder().build().createParser(feed.json())) {
                jobs.submit(new Caller("platform-admin", "agency-platform", Set.of(Role.PLATFORM_ADMIN)), parser,
                        null, permit);
            } catch (RuntimeException e) {
                failed[0] = e;
            }
        });
        submitting.join(Duration.ofSeconds(60));
        assertThat(failed[0]).as("the submission failed").isNotNull();
        ImportJob stored = mongo.findOne(Query.query(Criteria.where("createdAt").gte(before)), ImportJob.class);
        assertThat(stored).as("the job landed").isNotNull();

        JsonNode done = awaitStatus("/api/hsds/imports/" + stored.id, "DONE");

        assertThat(done.path("read").asInt()).as(done.toString()).isEqualTo(2);
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL)).status())
                .as("the service was imported").isEqualTo(200);
    }

    private JsonNode awaitStatus(String location, String status) {
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode job = api().get(location, admin()).body();
            seen.add(job);
            return status.equals(job.path("status").asString());
        });
        return seen.getLast();
    }

    @Test
    void aRecordTheStoreFailsForAMomentIsImportedOnTheNextTryNotRefused() throws IOException {
        Feed feed = Feed.fresh();
        StoreFaults.Fault fault = StoreFaults.failNext(WORKER, "opportunities", 2);

        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), feed.json());

        assertThat(submitted.status()).isEqualTo(202);
        JsonNode done = awaitStatus(submitted.location().orElseThrow(), "DONE");
        assertThat(fault.injected()).as("the store failed twice").isEqualTo(2);
        assertThat(done.path("refused").asInt()).as(done.toString()).isZero();
        assertThat(done.path("report").path("refused")).isEmpty();
        assertThat(done.path("report").path("services").path("created").asInt()).isEqualTo(1);
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL))
                .text("title")).isEqualTo("Community Counselling");
    }

    @Test
    void aStoreThatStaysDownInterruptsTheJobWhichResumesWithoutLosingOrDuplicatingARecord() throws IOException {
        Feed feed = Feed.fresh();
        StoreFaults.Fault fault = StoreFaults.breakFor(WORKER, "opportunities");

        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), feed.json());
        String location = submitted.location().orElseThrow();
        JsonNode interrupted = awaitStatus(location, "INTERRUPTED");

        assertThat(fault.injected()).as("tried more than once").isGreaterThan(1);
        assertThat(interrupted.path("refused").asInt()).as("the provider's record is not refused").isZero();
        assertThat(interrupted.path("report").path("refused")).isEmpty();
        assertThat(interrupted.path("read").asInt()).as("only the organization, which the store took").isEqualTo(1);
        assertThat(interrupted.path("report").path("organizations").path("created").asInt()).isEqualTo(1);
        assertThat(interrupted.path("interruptedAt").isNull()).isFalse();
        assertThat(Instant.parse(interrupted.path("resumesAt").asString())).isAfter(Instant.now());
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL))
                .isProblem(404, "not-found")).isTrue();

        // The store is back; the pause is over (as if the time had come) and a replica's sweep claims the job.
        fault.heal();
        String id = location.substring(location.lastIndexOf('/') + 1);
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id)),
                new Update().set("leaseUntil", Instant.now().minusSeconds(1)), ImportJob.class);
        jobs.drain();

        JsonNode done = awaitStatus(location, "DONE");
        assertThat(done.path("read").asInt()).isEqualTo(2);
        assertThat(done.path("refused").asInt()).isZero();
        assertThat(done.path("report").path("organizations").path("created").asInt()).isEqualTo(1);
        assertThat(done.path("report").path("services").path("created").asInt()).isEqualTo(1);
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL))
                .text("title")).isEqualTo("Community Counselling");
        assertThat(mongo.count(Query.query(Criteria.where("hsdsId").is(feed.organization())), Agency.class))
                .as("the organization written before the interruption is not written twice").isEqualTo(1);
    }

    /**
     * A record whose write landed without being acknowledged, after which the store failed on it each time the job
     * came back: the job ends, and its report says the write was never confirmed (it is in the catalogue), not that
     * the record was not stored.
     */
    @Test
    void aRecordGivenUpOnAfterAWriteThatWasNeverConfirmedIsReportedAsUnconfirmedNotAsNotStored() throws Exception {
        Feed feed = Feed.fresh();
        StoreFaults.landThenBreakFor(WORKER, "opportunities");
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), feed.json());
        String location = submitted.location().orElseThrow();
        String id = location.substring(location.lastIndexOf('/') + 1);

        for (int time = 1; time <= ImportJobs.INTERRUPTIONS_AT_ONE_RECORD; time++) {
            awaitStatus(location, "INTERRUPTED");
            mongo.updateFirst(Query.query(Criteria.where("_id").is(id)),
                    new Update().set("leaseUntil", Instant.now().minusSeconds(1)), ImportJob.class);
            Thread again = Thread.ofPlatform().name(WORKER).start(jobs::drain);
            again.join(Duration.ofSeconds(60));
        }

        JsonNode done = awaitStatus(location, "DONE");
        StoreFaults.heal();
        assertThat(done.toString()).contains("STORE_UNCONFIRMED").doesNotContain("NOT_STORED");
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL))
                .text("title")).as("the write had landed").isEqualTo("Community Counselling");
    }

    /**
     * A record the store fails on every time (it is not the store being away: the job came back to it three times) is
     * refused as one the store would not hold, and the job ends, instead of stopping at it every two minutes for good.
     */
    @Test
    void aRecordTheStoreFailsOnEachTimeTheJobComesBackIsRefusedAndTheJobEnds() throws Exception {
        Feed feed = Feed.fresh();
        StoreFaults.breakFor(WORKER, "opportunities");
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), feed.json());
        String location = submitted.location().orElseThrow();
        String id = location.substring(location.lastIndexOf('/') + 1);

        for (int time = 1; time <= ImportJobs.INTERRUPTIONS_AT_ONE_RECORD; time++) {
            awaitStatus(location, "INTERRUPTED");
            assertThat(mongo.findById(id, ImportJob.class).interruptions).isEqualTo(time);
            mongo.updateFirst(Query.query(Criteria.where("_id").is(id)),
                    new Update().set("leaseUntil", Instant.now().minusSeconds(1)), ImportJob.class);
            // On a thread of the jobs' name, whose store writes still fail: the pause is over, the store is not.
            Thread again = Thread.ofPlatform().name(WORKER).start(jobs::drain);
            again.join(Duration.ofSeconds(60));
        }

        JsonNode done = awaitStatus(location, "DONE");
        assertThat(done.path("refused").asInt()).as(done.toString()).isOne();
        assertThat(done.toString()).contains("NOT_STORED");
        assertThat(done.path("report").path("organizations").path("created").asInt()).isEqualTo(1);
    }

    /**
     * The store applied a record's first write but its answer was lost (the driver saw its socket time out), so the
     * record is tried again and finds its own write: the job still counts it as what that write did (created stays
     * created, updated stays updated), and ends with the breakdown and the catalogue a clean import of the same feed
     * gives. Before, the retry found nothing left to do and counted the record unchanged.
     */
    @ParameterizedTest(name = "the first write to {0} of {1}")
    @CsvSource({"agencies, a new feed, created", "opportunities, a new feed, created",
            "agencies, a changed feed, updated", "opportunities, a changed feed, updated"})
    void aRecordWhoseFirstWriteLandsButReportsAnErrorIsCountedAsInACleanImport(String collection, String feedKind,
                                                                                String counted) throws IOException {
        boolean changed = feedKind.equals("a changed feed");
        Feed clean = Feed.fresh();
        Feed faulty = Feed.fresh();
        if (changed) {
            importAsJob(clean.json());
            importAsJob(faulty.json());
            clean = clean.renamed();
            faulty = faulty.renamed();
        }

        JsonNode cleanJob = importAsJob(clean.json());
        StoreFaults.Fault fault = StoreFaults.landThenFailNext(WORKER, collection, 1);
        JsonNode faultyJob = importAsJob(faulty.json());

        assertThat(fault.injected()).as("the write landed and failed once").isEqualTo(1);
        String table = collection.equals("agencies") ? "organizations" : "services";
        assertThat(faultyJob.path("report").path(table).path(counted).asInt())
                .as(faultyJob.path("report").path(table).toString()).isOne();
        assertThat(faulty.withoutIds(faultyJob.path("report"))).isEqualTo(clean.withoutIds(cleanJob.path("report")));
        assertThat(faultyJob.path("imported").asInt()).isEqualTo(cleanJob.path("imported").asInt());
        assertThat(faulty.withoutIds(catalogue(faulty))).isEqualTo(clean.withoutIds(catalogue(clean)));
        assertThat(mongo.count(Query.query(Criteria.where("hsdsId").is(faulty.organization())), Agency.class))
                .as("the organization is not written twice").isEqualTo(1);
    }

    /**
     * The store applied the service's write, lost its acknowledgement and then went down: the job is interrupted before
     * the service, and when it resumes it finds the service already there. It still counts it created, as the write
     * that landed did. Before, the resumed job counted it unchanged.
     */
    @Test
    void aWriteThatLandedBeforeTheStoreWentDownIsCountedAsWhatItDidWhenTheJobResumes() throws IOException {
        Feed feed = Feed.fresh();
        StoreFaults.landThenBreakFor(WORKER, "opportunities");
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), feed.json());
        String location = submitted.location().orElseThrow();
        JsonNode interrupted = awaitStatus(location, "INTERRUPTED");
        assertThat(interrupted.path("read").asInt()).as("only the organization is counted").isEqualTo(1);
        assertThat(api().get("/api/opportunities/opp-" + feed.service(), TestTokens.worker(COUNCIL))
                .text("title")).as("the write landed").isEqualTo("Community Counselling");

        StoreFaults.heal();
        String id = location.substring(location.lastIndexOf('/') + 1);
        mongo.updateFirst(Query.query(Criteria.where("_id").is(id)),
                new Update().set("leaseUntil", Instant.now().minusSeconds(1)), ImportJob.class);
        jobs.drain();

        JsonNode done = awaitStatus(location, "DONE");
        assertThat(done.path("report").path("services").toString())
                .isEqualTo("{\"created\":1,\"updated\":0,\"unchanged\":0,\"refused\":0}");
        assertThat(done.path("report").path("organizations").path("created").asInt()).isEqualTo(1);
    }

    /** Imports {@code json} as a job and returns the job once done. */
    private JsonNode importAsJob(String json) {
        HttpApi.Response submitted = api().post("/api/hsds/imports", admin(), json);
        assertThat(submitted.status()).isEqualTo(202);
        return awaitStatus(submitted.location().orElseThrow(), "DONE");
    }

    /** The feed's organization and service as the catalogue exports them. */
    private JsonNode catalogue(Feed feed) {
        tools.jackson.databind.node.ObjectNode both = tools.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        both.set("organization", api().get("/api/hsds/organizations/" + feed.organization(), admin()).body());
        both.set("service", api().get("/api/hsds/services/" + feed.service(), admin()).body());
        return both;
    }
}
