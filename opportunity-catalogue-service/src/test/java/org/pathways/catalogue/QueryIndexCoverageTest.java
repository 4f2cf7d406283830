package org.pathways.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;
import org.pathways.testing.HttpApi;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.IndexField;
import org.springframework.data.mongodb.core.index.IndexInfo;

/**
 * "Fast at 100k opportunities: index for every query the API offers", checked against the queries the running service
 * really sends: every search, match, pathway, agency listing and export call is made over HTTP, the filters and sorts
 * the driver put on the wire are recorded ({@link MongoQueryLog}), and each must be served by an index that MongoDB
 * lists for the collection. The embedded store ignores non-unique indexes when querying, so this is what keeps them
 * honest for production.
 *
 * <p>"Served" follows MongoDB's equality-sort-range rule: a sorted query needs an index whose keys are some of its
 * equality fields followed by its sort keys (same or all reversed directions), so pages are read in index order; or,
 * for a range that is the selective part (a bounding box), an index led by that range (its matches, bounded, are
 * sorted in memory). An unsorted query needs an index led by one of its fields. Either way the index must hold one of
 * the query's fields other than {@code status} if it has any (else it walks the whole listed catalogue to find a
 * few). An {@code $or} needs an index for each branch.
 */
class QueryIndexCoverageTest extends RunningService {

    @Autowired
    MongoQueryLog log;

    @Autowired
    MongoTemplate mongo;

    record Key(String field, int direction) {
    }

    /** A query reduced to what index selection depends on: one conjunction of an $or's branches. */
    record Shape(String collection, Set<String> equality, Set<String> range, List<Key> sort) {
    }

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
        assertThat(api().get("/api/opportunities/" + first + "/onward?depth=3", worker).status()).isEqualTo(200);
        assertThat(api().get("/api/pathways?from=" + first + "&to=" + second, worker).status()).isEqualTo(200);
        for (String query : List.of("", "?locality=Harehills", "?kind=COLLEGE", "?locality=Harehills&kind=COLLEGE")) {
            assertThat(api().get("/api/agencies" + query, worker).status()).isEqualTo(200);
        }
        assertThat(api().get("/api/agencies/" + agency, worker).status()).isEqualTo(200);
        assertThat(api().get("/api/hsds/services?page=2&per_page=5", worker).status()).isEqualTo(200);
        assertThat(api().get("/api/hsds/organizations?page=2&per_page=5", worker).status()).isEqualTo(200);

        Set<Shape> shapes = new LinkedHashSet<>();
        log.reads().forEach(read -> shapes.addAll(shapes(read.collection(), read.filter(), read.sort())));
        assertThat(shapes.stream().map(Shape::collection)).contains("opportunities", "agencies");
        assertThat(shapes).as("the calls above issue many different queries").hasSizeGreaterThan(25);

        Map<String, List<List<Key>>> indexes = new LinkedHashMap<>();
        List<String> unserved = new ArrayList<>();
        for (Shape shape : shapes) {
            List<List<Key>> declared = indexes.computeIfAbsent(shape.collection(), this::indexesOf);
            if (declared.stream().noneMatch(index -> serves(index, shape))) {
                unserved.add(shape.toString());
            }
        }
        assertThat(unserved).as("queries no index serves").isEmpty();
    }

    @Test
    void theRuleRefusesAQueryNoIndexServesAndAnOrderTheIndexCannotGive() {
        List<Key> byKindNewest = List.of(new Key("kind", 1), new Key("status", 1), new Key("publishedAt", -1),
                new Key("_id", 1));
        List<Key> newestSort = List.of(new Key("publishedAt", -1), new Key("_id", 1));
        assertThat(serves(byKindNewest, new Shape("o", Set.of("kind", "status"), Set.of(), newestSort))).isTrue();
        assertThat(serves(byKindNewest, new Shape("o", Set.of("kind", "status"), Set.of(),
                List.of(new Key("publishedAt", 1), new Key("_id", -1))))).as("all reversed").isTrue();
        assertThat(serves(byKindNewest, new Shape("o", Set.of("kind"), Set.of(), newestSort)))
                .as("status not fixed: the order is not the index's").isFalse();
        assertThat(serves(byKindNewest, new Shape("o", Set.of("title", "status"), Set.of(), newestSort))).isFalse();
        assertThat(serves(byKindNewest, new Shape("o", Set.of("title"), Set.of(), List.of()))).isFalse();
        List<Key> statusNewest = List.of(new Key("status", 1), new Key("publishedAt", -1), new Key("_id", 1));
        assertThat(serves(statusNewest, new Shape("o", Set.of("status"), Set.of(), newestSort))).isTrue();
        assertThat(serves(statusNewest, new Shape("o", Set.of("status", "mode"), Set.of(), newestSort)))
                .as("in order, but reading every listed one to find the online few").isFalse();
        assertThat(shapes("o", BsonDocument.parse("{$and: [{status: {$in: ['A', 'B']}}, {$or: [{localities: 'x'},"
                + " {venues: {$elemMatch: {latitude: {$gte: 1, $lte: 2}}}}]}]}"), BsonDocument.parse("{_id: 1}")))
                .containsExactly(new Shape("o", Set.of("status", "localities"), Set.of(), List.of(new Key("_id", 1))),
                        new Shape("o", Set.of("status"), Set.of("venues.latitude"), List.of(new Key("_id", 1))));
    }

    private List<List<Key>> indexesOf(String collection) {
        List<List<Key>> found = new ArrayList<>();
        for (IndexInfo info : mongo.indexOps(collection).getIndexInfo()) {
            List<Key> keys = new ArrayList<>();
            for (IndexField field : info.getIndexFields()) {
                keys.add(new Key(field.getKey(), field.getDirection() == Sort.Direction.DESC ? -1 : 1));
            }
            found.add(keys);
        }
        return found;
    }

    /** Filtered on by nearly every listing, with two listed values: an index on it alone narrows nothing. */
    static final Set<String> UNSELECTIVE = Set.of("status");

    static boolean serves(List<Key> index, Shape shape) {
        Set<String> fields = new HashSet<>(shape.equality());
        fields.addAll(shape.range());
        Set<String> selective = new HashSet<>(fields);
        selective.removeAll(UNSELECTIVE);
        if (!selective.isEmpty() && index.stream().noneMatch(key -> selective.contains(key.field()))) {
            return false;   // it would walk every listed opportunity to find the few this query wants
        }
        if (shape.sort().isEmpty()) {
            return fields.isEmpty() || fields.contains(index.getFirst().field());
        }
        for (int prefix = 0; prefix <= index.size() - shape.sort().size(); prefix++) {
            if (prefix > 0 && !shape.equality().contains(index.get(prefix - 1).field())) {
                break;
            }
            if (sortMatches(index.subList(prefix, prefix + shape.sort().size()), shape.sort())) {
                return true;
            }
        }
        return shape.range().contains(index.getFirst().field());
    }

    private static boolean sortMatches(List<Key> keys, List<Key> sort) {
        boolean same = true;
        boolean reversed = true;
        for (int i = 0; i < sort.size(); i++) {
            if (!keys.get(i).field().equals(sort.get(i).field())) {
                return false;
            }
            same &= keys.get(i).direction() == sort.get(i).direction();
            reversed &= keys.get(i).direction() == -sort.get(i).direction();
        }
        return same || reversed;
    }

    static List<Shape> shapes(String collection, BsonDocument filter, BsonDocument sort) {
        List<Key> keys = new ArrayList<>();
        sort.forEach((field, direction) -> keys.add(new Key(field, direction.asNumber().intValue() < 0 ? -1 : 1)));
        return conjunctions(filter, "").stream()
                .map(c -> new Shape(collection, c.get(0), c.get(1), List.copyOf(keys))).toList();
    }

    /** The alternatives a filter can be satisfied by, each as [equality fields, range fields]. */
    private static List<List<Set<String>>> conjunctions(BsonDocument filter, String prefix) {
        List<List<Set<String>>> alternatives = List.of(List.of(Set.of(), Set.of()));
        for (Map.Entry<String, BsonValue> entry : filter.entrySet()) {
            String key = entry.getKey();
            BsonValue value = entry.getValue();
            if (key.equals("$and")) {
                for (BsonValue part : value.asArray()) {
                    alternatives = cross(alternatives, conjunctions(part.asDocument(), prefix));
                }
            } else if (key.equals("$or")) {
                List<List<Set<String>>> branches = new ArrayList<>();
                value.asArray().forEach(branch -> branches.addAll(conjunctions(branch.asDocument(), prefix)));
                alternatives = cross(alternatives, branches);
            } else if (!key.startsWith("$")) {
                alternatives = cross(alternatives, field(prefix + key, value));
            }
        }
        return alternatives;
    }

    private static List<List<Set<String>>> field(String field, BsonValue value) {
        if (!value.isDocument() || value.asDocument().isEmpty()
                || !value.asDocument().getFirstKey().startsWith("$")) {
            return List.of(List.of(Set.of(field), Set.of()));
        }
        List<List<Set<String>>> alternatives = List.of(List.of(Set.of(), Set.of()));
        for (Map.Entry<String, BsonValue> operator : value.asDocument().entrySet()) {
            switch (operator.getKey()) {
                case "$eq", "$in", "$all" -> alternatives = cross(alternatives, List.of(List.of(Set.of(field),
                        Set.of())));
                case "$gt", "$gte", "$lt", "$lte", "$ne", "$nin" -> alternatives = cross(alternatives,
                        List.of(List.of(Set.of(), Set.of(field))));
                case "$elemMatch" -> alternatives = cross(alternatives, operator.getValue().asDocument().getFirstKey()
                        .startsWith("$") ? field(field, operator.getValue())
                        : conjunctions(operator.getValue().asDocument(), field + "."));
                default -> {
                    // $exists, $regex, $size, $not...: nothing an index is chosen for here.
                }
            }
        }
        return alternatives;
    }

    private static List<List<Set<String>>> cross(List<List<Set<String>>> left, List<List<Set<String>>> right) {
        List<List<Set<String>>> product = new ArrayList<>();
        for (List<Set<String>> a : left) {
            for (List<Set<String>> b : right) {
                Set<String> equality = new LinkedHashSet<>(a.get(0));
                equality.addAll(b.get(0));
                Set<String> range = new LinkedHashSet<>(a.get(1));
                range.addAll(b.get(1));
                product.add(List.of(equality, range));
            }
        }
        return product;
    }
}
