package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.codecs.DocumentCodec;
import org.junit.jupiter.api.Test;
import org.pathways.referral.archive.ReferralArchive;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import tools.jackson.databind.JsonNode;

/**
 * A referral's notes and history cannot grow its document towards MongoDB's 16 MB limit: notes move into a collection
 * of their own and the history keeps its first and latest entries in the document, the rest in another; every note
 * and every entry is still served, whole or in pages. Documents written before (everything inside) move out at
 * start-up.
 */
class BoundedReferralTest extends ReferralServiceTest {

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");
    private static final int LEGACY_NOTES = 5_000;
    private static final int LEGACY_TRANSITIONS = 998;

    @Autowired
    ReferralArchive archive;

    private int bsonSize(String referralId) {
        Document stored = store.getCollection("referrals").find(new Document("_id", referralId)).first();
        return new RawBsonDocument(stored, new DocumentCodec()).getByteBuffer().remaining();
    }

    private Document stored(String referralId) {
        return store.getCollection("referrals").find(new Document("_id", referralId)).first();
    }

    /** Every page, following the Link header, newest first. */
    private List<JsonNode> allPages(String firstPage) {
        List<JsonNode> items = new ArrayList<>();
        String next = firstPage;
        int pages = 0;
        while (next != null) {
            HttpResponse<String> page = send("GET", next, worker(COLLEGE), null);
            assertThat(page.statusCode()).as(next).isEqualTo(200);
            JSON.readTree(page.body()).forEach(items::add);
            Matcher link = NEXT.matcher(page.headers().firstValue("Link").orElse(""));
            next = link.find() ? link.group(1) : null;
            assertThat(++pages).as("pages").isLessThan(100);
        }
        return items;
    }

    @Test
    void aReferralWithThousandsOfNotesAndTransitionsKeepsASmallDocumentAndServesThemAll() {
        JsonNode referral = step(worker(COLLEGE), step(worker(COLLEGE),
                submitted(consentedLearnerAndPublishedCourse(20, 0)), "RECEIVE", null), "ACCEPT", null);
        String id = referral.get("id").asString();

        // A document written before notes and history moved out: 5,000 notes and 1,000 transitions inside it.
        List<Document> notes = new ArrayList<>();
        Instant at = Instant.parse("2026-01-05T09:00:00Z");
        for (int i = 0; i < LEGACY_NOTES; i++) {
            // As Spring Data writes a nested "id": as "_id".
            notes.add(new Document("_id", "note-legacy-" + i).append("authorUserId", "worker-1")
                    .append("authorAgencyId", i % 2 == 0 ? COUNCIL : COLLEGE)
                    .append("text", "Legacy note " + i + ": called, left a message, will try again tomorrow")
                    .append("at", Date.from(at.plusSeconds(i))));
        }
        List<Document> history = new ArrayList<>();
        for (int i = 0; i < LEGACY_TRANSITIONS; i++) {
            boolean hold = i % 2 == 0;
            history.add(new Document("status", hold ? "ON_HOLD" : "ACCEPTED")
                    .append("at", Date.from(at.plusSeconds(LEGACY_NOTES + i))).append("byUser", "worker-2")
                    .append("byAgency", COLLEGE).append("action", hold ? "HOLD" : "RESUME")
                    .append("reason", hold ? "WAITLISTED" : null).append("reasonText", "legacy step " + i));
        }
        store.updateFirst(Query.query(Criteria.where("_id").is(id)),
                new Update().push("notes").each(notes.toArray()).push("history").each(history.toArray()),
                "referrals");
        int legacyBytes = bsonSize(id);
        assertThat(legacyBytes).isGreaterThan(500_000);

        // What the start-up migration does; a second run finds nothing to move.
        assertThat(archive.tidyAll()).isGreaterThanOrEqualTo(1);
        assertThat(archive.tidyAll()).isZero();
        int migratedBytes = bsonSize(id);

        // The live path on top: notes and hold/resume cycles through the API.
        String version = null;
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> added = send("POST", "/api/referrals/" + id + "/notes", worker(COUNCIL),
                    "{\"text\":\"API note " + i + "\"}");
            assertThat(added.statusCode()).isEqualTo(201);
            version = added.headers().firstValue("ETag").orElseThrow();
        }
        JsonNode current = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        // Moving the note out did not change the referral's version: the ETag of the note's answer is current.
        assertThat(version).isEqualTo("\"" + current.get("version").asLong() + "\"");
        for (int i = 0; i < 30; i++) {
            current = step(worker(COLLEGE), current, "HOLD", "WAITLISTED");
            current = step(worker(COLLEGE), current, "RESUME", null);
        }
        int totalNotes = LEGACY_NOTES + 20;
        int totalHistory = 3 + LEGACY_TRANSITIONS + 60;

        Document document = stored(id);
        int finalBytes = bsonSize(id);
        System.out.printf("referral document: %d bytes with everything inside, %d after the migration, %d after 20 "
                + "more notes and 60 more transitions (%d notes, %d history entries)%n", legacyBytes, migratedBytes,
                finalBytes, totalNotes, totalHistory);
        assertThat(document.getList("notes", Document.class)).isEmpty();
        assertThat(document.getInteger("notesMoved")).isEqualTo(totalNotes);
        assertThat(document.getList("history", Document.class)).hasSize(1 + archive.keptRecent());
        assertThat(finalBytes).isLessThan(32 * 1024);

        // The referral's own view: the submission and the latest entries.
        JsonNode view = api().get("/api/referrals/" + id, worker(COLLEGE)).body();
        assertThat(view.get("history")).hasSize(1 + archive.keptRecent());
        assertThat(view.get("history").get(0).get("status").asString()).isEqualTo("SUBMITTED");
        assertThat(view.get("history").get(archive.keptRecent()).get("action").asString()).isEqualTo("RESUME");

        // Every note, in order, whole and in pages.
        JsonNode thread = api().get("/api/referrals/" + id + "/notes", worker(COLLEGE)).body();
        assertThat(thread).hasSize(totalNotes);
        assertThat(thread.get(0).get("id").asString()).isEqualTo("note-legacy-0");
        assertThat(thread.get(LEGACY_NOTES - 1).get("text").asString()).startsWith("Legacy note 4999:");
        assertThat(thread.get(totalNotes - 1).get("text").asString()).isEqualTo("API note 19");
        List<JsonNode> paged = allPages("/api/referrals/" + id + "/notes?limit=500");
        assertThat(paged).hasSize(totalNotes);
        assertThat(paged.getFirst().get("text").asString()).isEqualTo("API note 19");
        assertThat(paged.getLast().get("id").asString()).isEqualTo("note-legacy-0");
        assertThat(paged.stream().map(n -> n.get("id").asString()).distinct()).hasSize(totalNotes);

        // Every history entry, in order, whole and in pages.
        JsonNode full = api().get("/api/referrals/" + id + "/history", worker(COUNCIL)).body();
        assertThat(full).hasSize(totalHistory);
        assertThat(full.get(0).get("status").asString()).isEqualTo("SUBMITTED");
        assertThat(full.get(1).get("status").asString()).isEqualTo("RECEIVED");
        assertThat(full.get(3).get("reasonText").asString()).isEqualTo("legacy step 0");
        assertThat(full.get(totalHistory - 1).get("action").asString()).isEqualTo("RESUME");
        List<JsonNode> historyPages = allPages("/api/referrals/" + id + "/history?limit=200");
        assertThat(historyPages).hasSize(totalHistory);
        assertThat(historyPages.getLast().get("status").asString()).isEqualTo("SUBMITTED");
        List<String> ascending = new ArrayList<>();
        full.forEach(entry -> ascending.add(entry.get("at").asString()));
        assertThat(historyPages.reversed().stream().map(entry -> entry.get("at").asString()).toList())
                .isEqualTo(ascending);

        // The note events are what they were: one per note added through the API, without text.
        assertThat(eventsOf(id, "note-added", 20)).hasSize(20).allSatisfy(event ->
                assertThat(event.toString()).doesNotContain("API note"));
    }

    @Test
    void pagesAreBoundedAndOnlyThePartiesReadTheHistory() {
        JsonNode referral = submitted(consentedLearnerAndPublishedCourse(20, 0));
        String id = referral.get("id").asString();
        api().post("/api/referrals/" + id + "/notes", worker(COUNCIL), Map.of("text", "First"));
        api().post("/api/referrals/" + id + "/notes", worker(COUNCIL), Map.of("text", "Second"));

        HttpResponse<String> newest = send("GET", "/api/referrals/" + id + "/notes?limit=1", worker(COLLEGE), null);
        assertThat(JSON.readTree(newest.body()).get(0).get("text").asString()).isEqualTo("Second");
        assertThat(newest.headers().firstValue("Link")).hasValue(
                "</api/referrals/" + id + "/notes?limit=1&before=2>; rel=\"next\"");
        HttpResponse<String> older = send("GET", "/api/referrals/" + id + "/notes?limit=1&before=2", worker(COLLEGE),
                null);
        assertThat(JSON.readTree(older.body()).get(0).get("text").asString()).isEqualTo("First");
        assertThat(older.headers().firstValue("Link")).isEmpty();

        assertThat(api().get("/api/referrals/" + id + "/notes?limit=0", worker(COLLEGE)).status()).isEqualTo(400);
        assertThat(api().get("/api/referrals/" + id + "/notes?limit=501", worker(COLLEGE)).status()).isEqualTo(400);
        assertThat(api().get("/api/referrals/" + id + "/history?before=0&limit=5", worker(COLLEGE)).status())
                .isEqualTo(400);
        assertThat(api().get("/api/referrals/" + id + "/history", worker(JOBCENTRE)).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().get("/api/referrals/" + id + "/history", coordinator()).isProblem(404, "not-found"))
                .isTrue();
        assertThat(api().get("/api/referrals/" + id + "/history", worker(COLLEGE)).body()).hasSize(1);
    }
}
