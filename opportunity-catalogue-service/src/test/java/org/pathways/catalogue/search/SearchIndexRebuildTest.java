package org.pathways.catalogue.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathways.catalogue.OpportunityCatalogueServiceTest;
import org.pathways.catalogue.agency.PendingAgencies;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * The index on disk is only a copy: deleted, it is rebuilt from the store with the same answers; left behind while
 * the catalogue changed, it catches up at start; written by another schema, it is started afresh. Each index here is
 * the component itself, opened on a directory of its own beside the running service (which keeps its own).
 */
class SearchIndexRebuildTest extends OpportunityCatalogueServiceTest {

    @Autowired
    MongoTemplate mongo;

    @TempDir
    Path directory;

    private final String place = "Loc" + UUID.randomUUID().toString().replaceAll("[^a-z]", "");

    private LuceneOpportunitySearch start() throws IOException {
        LuceneOpportunitySearch search = new LuceneOpportunitySearch(mongo, new PendingAgencies(mongo),
                new SearchIndexProperties(directory.toString(), Duration.ofHours(1)));
        search.reconcile();
        return search;
    }

    private SearchCriteria criteria(String text) {
        return new SearchCriteria(text, place, new SearchCriteria.Point(53.80, -1.55), 50.0, null, null, null, null,
                null, null, false, false, null, 100);
    }

    /** What a caller sees: the ids in order, the scores, distances, total and facets. */
    private static List<Object> answer(SearchResults results) {
        return List.of(results.items().stream().map(h -> List.of(h.opportunity().id(), String.valueOf(h.score()),
                String.valueOf(h.distanceKm()), h.opportunity().title())).toList(), results.total(), results.facets());
    }

    private String seed(String title, String description, double latitude) {
        Map<String, Object> details = opportunityDetails();
        details.put("title", title);
        details.put("description", description);
        details.put("venues", List.of(Map.of("name", "Hub", "locality", place, "latitude", latitude,
                "longitude", -1.55)));
        return published(COLLEGE, details);
    }

    @Test
    void aDeletedIndexIsRebuiltFromTheStoreWithTheSameAnswers() throws IOException {
        seed("Cooking on a budget", "Meals for families.", 53.81);
        seed("Cookery for beginners", "Learn to cook.", 53.85);
        seed("Maths for work", "Numbers.", 53.90);
        List<Object> text;
        List<Object> everything;
        LuceneOpportunitySearch first = start();
        try {
            text = answer(first.search(criteria("cooking")));
            everything = answer(first.search(criteria(null)));
            assertThat(first.search(criteria("cooking")).items()).hasSize(2);
        } finally {
            first.destroy();
        }

        deleteRecursively(directory);
        LuceneOpportunitySearch rebuilt = start();
        try {
            assertThat(answer(rebuilt.search(criteria("cooking")))).isEqualTo(text);
            assertThat(answer(rebuilt.search(criteria(null)))).isEqualTo(everything);
        } finally {
            rebuilt.destroy();
        }
    }

    @Test
    void anIndexLeftBehindCatchesUpAtStart() throws IOException {
        String withdrawn = seed("Pottery", "Clay.", 53.81);
        String revised = seed("Pottery evenings", "Clay.", 53.82);
        String kept = seed("Pottery weekends", "Clay.", 53.83);
        LuceneOpportunitySearch before = start();
        before.destroy();

        // While the index is closed: one withdrawn, one renamed, one added.
        assertThat(withdraw(withdrawn, COLLEGE).status()).isEqualTo(200);
        long version = api().get("/api/opportunities/" + revised, TestTokens.worker(COLLEGE)).body().path("revision")
                .asLong();
        Map<String, Object> details = opportunityDetails();
        details.put("title", "Ceramics evenings");
        details.put("description", "Clay.");
        details.put("venues", List.of(Map.of("name", "Hub", "locality", place, "latitude", 53.82,
                "longitude", -1.55)));
        assertThat(put("/api/opportunities/" + revised, TestTokens.worker(COLLEGE), details, version).status())
                .isEqualTo(200);
        String added = seed("Pottery for children", "Clay.", 53.84);

        LuceneOpportunitySearch after = new LuceneOpportunitySearch(mongo, new PendingAgencies(mongo),
                new SearchIndexProperties(directory.toString(), Duration.ofHours(1)));
        try {
            assertThat(ids(after.search(criteria("pottery")))).as("as it was left")
                    .containsExactlyInAnyOrder(withdrawn, revised, kept);
            OpportunitySearch.Reconciliation caughtUp = after.reconcile();
            assertThat(caughtUp.removed()).isGreaterThanOrEqualTo(1);
            assertThat(caughtUp.indexed()).isGreaterThanOrEqualTo(2);
            assertThat(ids(after.search(criteria("pottery")))).containsExactlyInAnyOrder(kept, added);
            assertThat(ids(after.search(criteria("ceramics")))).containsExactly(revised);
        } finally {
            after.destroy();
        }
    }

    @Test
    void anIndexOfAnotherSchemaIsStartedAfresh() throws IOException {
        String pottery = seed("Pottery", "Clay.", 53.81);
        try (IndexWriter old = new IndexWriter(FSDirectory.open(directory), new IndexWriterConfig())) {
            old.addDocument(new org.apache.lucene.document.Document());
            old.setLiveCommitData(Map.of("schema", "0").entrySet());
            old.commit();
        }

        LuceneOpportunitySearch search = new LuceneOpportunitySearch(mongo, new PendingAgencies(mongo),
                new SearchIndexProperties(directory.toString(), Duration.ofHours(1)));
        try {
            assertThat(search.size()).as("the old documents are gone").isZero();
            search.reconcile();
            assertThat(ids(search.search(criteria("pottery")))).containsExactly(pottery);
        } finally {
            search.destroy();
        }
    }

    @Test
    void aSaveWaitsForItsChangeToBeSearchableEvenWhenTheTopicsFollowerIndexedItFirst() throws IOException {
        String renamed = seed("Woodwork", "Wood.", 53.81);
        LuceneOpportunitySearch search = start();
        try {
            List<String> titles = List.of("Joinery", "Upholstery", "Bricklaying", "Plastering", "Glazing");
            for (int round = 0; round < titles.size(); round++) {
                // The change is saved; the follower of the topic, given an earlier event of the same opportunity,
                // reads the stored state (this change already) and indexes it without waiting, before the save's
                // own follow does: that follow then finds the version indexed, and must still wait for it.
                String title = titles.get(round);
                mongo.getCollection("opportunities").updateOne(new org.bson.Document("_id", renamed),
                        new org.bson.Document("$set", new org.bson.Document("title", title))
                                .append("$inc", new org.bson.Document("version", 1L)));
                search.followSoon(renamed);
                search.follow(renamed);

                assertThat(ids(search.search(criteria(title)))).as("searchable once the save returns, round %d", round)
                        .containsExactly(renamed);
            }
        } finally {
            search.destroy();
        }
    }

    private static List<String> ids(SearchResults results) {
        return results.items().stream().map(h -> h.opportunity().id()).toList();
    }

    private static void deleteRecursively(Path path) throws IOException {
        try (Stream<Path> all = Files.walk(path)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(path)) {
                    Files.delete(p);
                }
            }
        }
        assertThat(Files.list(path).count()).isZero();
    }
}
