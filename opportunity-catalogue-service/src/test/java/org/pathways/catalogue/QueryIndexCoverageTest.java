package org.pathways.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import org.pathways.testing.IndexCoverage;
import org.pathways.testing.IndexCoverage.Key;
import org.pathways.testing.IndexCoverage.Shape;
import org.pathways.testing.MongoQueryLog;
import org.pathways.platform.security.Role;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * "Fast at 100k opportunities: index for every query the API offers", checked against the queries the running service
 * really sends: search and matching answer from the search index and read nothing from the store; every pathway,
 * agency listing and export call, and the search index following an agency's approval, is made over HTTP, the
 * filters and sorts the driver put on the wire are recorded ({@link MongoQueryLog}), and each must be served by an index that MongoDB
 * lists for the collection. The embedded store ignores non-unique indexes when querying, so this is what keeps them
 * honest for production.
 *
 * <p>"Served" is decided by the shared {@link IndexCoverage} (MongoDB's equality-sort-range rule), with
 * {@code status} as the one unselective field (a range such as a bounding box may lead instead).
 */
class QueryIndexCoverageTest extends OpportunityCatalogueServiceTest {

    @Autowired
    MongoQueryLog log;

    @Autowired
    MongoTemplate mongo;

    /** Filtered on by nearly every listing, with two listed values: an index on it alone narrows nothing. */
    static final IndexCoverage COVERAGE = new IndexCoverage(Set.of("status"));

    @Test
    void everyQueryTheSearchMatchingListingAndExportApiIssuesIsServedByADeclaredIndex() {
        String agency = "agency-" + UUID.randomUUID();
        assertThat(api().post("/api/agencies", TestTokens.worker(agency), Map.of("name", "Index College",
                "sector", "PUBLIC", "kind", "COLLEGE", "localities", List.of("Harehills"),
                "acceptsDirectReferrals", true)).status()).isEqualTo(201);
        Map<String, Object> details = opportunityDetails();
        details.put("venues", List.of(Map.of("name", "Hub", "locality", "Harehills", "latitude", 53.81,
                "longitude", -1.52)));
        details.put("schedule", Map.of("startsOn", "2027-02-01"));
        String first = published(agency, details);
        String second = published(agency, details);
        api().post("/api/opportunities/" + first + "/routes", TestTokens.worker(agency),
                Map.of("toOpportunityId", second));
        String worker = TestTokens.worker(COUNCIL);
        log.clear();

        for (String query : List.of("", "?kind=FORMAL_LEARNING", "?level=E2", "?language=en",
                "?accessibility=STEP_FREE&accessibility=CRECHE", "?locality=Harehills", "?startsAfter=2027-01-01",
                "?startsBefore=2027-12-31", "?hasPlaces=true", "?free=true", "?q=english+esol",
                "?lat=53.8&lon=-1.5&withinKm=5", "?q=esol&locality=Harehills&kind=FORMAL_LEARNING&free=true",
                "?kind=FORMAL_LEARNING&level=E2&language=en&hasPlaces=true&startsAfter=2027-01-01")) {
            HttpApi.Response page = api().get("/api/opportunities" + query + (query.isEmpty() ? "?" : "&") + "limit=1",
                    worker);
            assertThat(page.status()).as(query).isEqualTo(200);
            String cursor = page.body().path("nextCursor").asString(null);
            if (cursor != null) {
                assertThat(api().get("/api/opportunities" + query + (query.isEmpty() ? "?" : "&") + "limit=1&cursor="
                        + cursor, worker).status()).isEqualTo(200);
            }
        }
        for (Map<String, Object> needs : List.<Map<String, Object>>of(Map.of(),
                Map.of("goals", List.of("english"), "locality", "Harehills", "level", "E1"),
                Map.of("locality", "Harehills", "latitude", 53.8, "longitude", -1.5),
                Map.of("locality", "Harehills"))) {
            assertThat(api().post("/api/matches", worker, needs).status()).as(needs.toString()).isEqualTo(200);
        }
        assertThat(log.reads()).as("search and matching answer from the search index, without reading the store")
                .isEmpty();

        // The index follows the agency's approval: every listed opportunity of that provider is read once. (Every
        // thread but the HSDS import sweep's, whose periodic look for a claimable job, a small collection, falls
        // into this window only when the wait happens to span its tick: not what this test is about.)
        log.recordOn(thread -> !thread.equals("hsds-import-jobs"));
        long version = api().get("/api/agencies/" + agency, worker).body().path("version").asLong();
        assertThat(put("/api/agencies/" + agency + "/kind", TestTokens.token("platform-admin", "agency-platform",
                Role.PLATFORM_ADMIN), Map.of("kind", "COLLEGE", "sector", "PUBLIC", "version", version), null)
                .status()).isEqualTo(200);
        await().atMost(EVENT_DEADLINE).until(() -> api().get("/api/opportunities?locality=Harehills&limit=100",
                worker).body().path("items").valueStream().anyMatch(i -> i.path("id").asString().equals(first)));
        log.recordOn(MongoQueryLog.WEB_THREADS);

        assertThat(api().get("/api/opportunities/" + first + "/onward?depth=3", worker).status()).isEqualTo(200);
        assertThat(api().get("/api/pathways?from=" + first + "&to=" + second, worker).status()).isEqualTo(200);
        for (String query : List.of("", "?locality=Harehills", "?kind=COLLEGE", "?locality=Harehills&kind=COLLEGE")) {
            assertThat(api().get("/api/agencies" + query, worker).status()).isEqualTo(200);
        }
        assertThat(api().get("/api/agencies/" + agency, worker).status()).isEqualTo(200);
        assertThat(api().get("/api/hsds/services?page=2&per_page=5", worker).status()).isEqualTo(200);
        assertThat(api().get("/api/hsds/organizations?page=2&per_page=5", worker).status()).isEqualTo(200);
        String organization = org.pathways.catalogue.agency.Agency.hsdsIdOf(agency);
        assertThat(api().get("/api/hsds/services?organization_id=" + organization + "&per_page=5", worker).body()
                .path("total_items").asLong()).isEqualTo(2);
        assertThat(api().get("/api/hsds/services/" + first.substring("opp-".length()), worker).status())
                .isEqualTo(200);
        assertThat(api().get("/api/hsds/organizations/" + organization, worker).body().path("services").size())
                .isEqualTo(2);

        Set<Shape> shapes = IndexCoverage.shapesOf(log.reads());
        assertThat(shapes.stream().map(Shape::collection)).contains("opportunities", "agencies");
        assertThat(shapes).as("the calls above issue many different queries").hasSizeGreaterThan(8);

        assertThat(COVERAGE.unserved(mongo, shapes)).as("queries no index serves").isEmpty();
    }

    @Test
    void theRuleRefusesAQueryNoIndexServesAndAnOrderTheIndexCannotGive() {
        List<Key> byKindNewest = List.of(new Key("kind", 1), new Key("status", 1), new Key("publishedAt", -1),
                new Key("_id", 1));
        List<Key> newestSort = List.of(new Key("publishedAt", -1), new Key("_id", 1));
        assertThat(COVERAGE.serves(byKindNewest, new Shape("o", Set.of("kind", "status"), Set.of(), newestSort)))
                .isTrue();
        assertThat(COVERAGE.serves(byKindNewest, new Shape("o", Set.of("kind", "status"), Set.of(),
                List.of(new Key("publishedAt", 1), new Key("_id", -1))))).as("all reversed").isTrue();
        assertThat(COVERAGE.serves(byKindNewest, new Shape("o", Set.of("kind"), Set.of(), newestSort)))
                .as("status not fixed: the order is not the index's").isFalse();
        assertThat(COVERAGE.serves(byKindNewest, new Shape("o", Set.of("title", "status"), Set.of(), newestSort)))
                .isFalse();
        assertThat(COVERAGE.serves(byKindNewest, new Shape("o", Set.of("title"), Set.of(), List.of()))).isFalse();
        List<Key> statusNewest = List.of(new Key("status", 1), new Key("publishedAt", -1), new Key("_id", 1));
        assertThat(COVERAGE.serves(statusNewest, new Shape("o", Set.of("status"), Set.of(), newestSort))).isTrue();
        assertThat(COVERAGE.serves(statusNewest, new Shape("o", Set.of("status", "mode"), Set.of(), newestSort)))
                .as("in order, but reading every listed one to find the online few").isFalse();
        assertThat(IndexCoverage.shapes("o", BsonDocument.parse("{$and: [{status: {$in: ['A', 'B']}},"
                + " {$or: [{localities: 'x'}, {venues: {$elemMatch: {latitude: {$gte: 1, $lte: 2}}}}]}]}"),
                BsonDocument.parse("{_id: 1}")))
                .containsExactly(new Shape("o", Set.of("status", "localities"), Set.of(), List.of(new Key("_id", 1))),
                        new Shape("o", Set.of("status"), Set.of("venues.latitude"), List.of(new Key("_id", 1))));
    }
}
