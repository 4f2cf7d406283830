package org.pathways.messaging.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Update;

/** The one lease-and-claim mechanism, against the MongoDB-wire store the services use. */
class DocumentLeasesTest {

    private static final String COLLECTION = "leased-things";
    private static MongoClient client;
    private static MongoTemplate mongo;

    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-02T08:00:00Z"));
    private final DocumentLeases first = leases("first");
    private final DocumentLeases second = leases("second");

    @BeforeAll
    static void store() {
        client = MongoClients.create(SharedInfrastructure.mongoUri());
        mongo = new MongoTemplate(client, "leases-test");
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private DocumentLeases leases(String holder) {
        DocumentLeases leases = new DocumentLeases(mongo, clock, DocumentLeases.Fields.DEFAULT,
                Duration.ofSeconds(30), holder);
        leases.createIndexes(COLLECTION);
        return leases;
    }

    private static String thing(String state, Instant dueAt) {
        String id = "thing-" + UUID.randomUUID();
        mongo.insert(new Document("_id", id).append("state", state).append("dueAt", java.util.Date.from(dueAt))
                .append("runs", 0), COLLECTION);
        return id;
    }

    private static Document stored(String id) {
        return mongo.findById(id, Document.class, COLLECTION);
    }

    private static boolean pending(Document document) {
        return "pending".equals(document.getString("state"));
    }

    @Test
    void aClaimedDocumentIsNotClaimedAgainWhileTheLeaseLives() {
        String id = thing("pending", clock.instant());

        Optional<Lease<Document>> held = first.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending,
                null);

        assertThat(held).isPresent();
        assertThat(held.get().document().getString("leaseOwner")).isEqualTo(held.get().token()).startsWith("first:");
        clock.advance(Duration.ofSeconds(29));
        assertThat(second.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)).isEmpty();
        assertThat(stored(id).getString("leaseOwner")).isEqualTo(held.get().token());
    }

    @Test
    void itsWriterClaimsANewDocumentAsItWroteItOnceAndNotWhileAnotherHoldsIt() {
        String id = thing("pending", clock.instant());
        String done = thing("done", clock.instant());

        Optional<Lease<Document>> held = first.claimAsSeen(Document.class, COLLECTION, id, null,
                DocumentLeasesTest::pending, new org.springframework.data.mongodb.core.query.Update().inc("runs", 1));

        assertThat(held).isPresent();
        assertThat(stored(id).getString("leaseOwner")).isEqualTo(held.get().token()).startsWith("first:");
        assertThat(stored(id).getInteger("runs")).isEqualTo(1);
        // Another holder that also believes it free (as written) does not take it, nor does the claim by id.
        assertThat(second.claimAsSeen(Document.class, COLLECTION, id, null, DocumentLeasesTest::pending, null))
                .isEmpty();
        assertThat(second.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)).isEmpty();
        assertThat(stored(id).getString("leaseOwner")).isEqualTo(held.get().token());
        // Not eligible as it stands: given back at once.
        assertThat(first.claimAsSeen(Document.class, COLLECTION, done, null, DocumentLeasesTest::pending, null))
                .isEmpty();
        assertThat(stored(done)).doesNotContainKey("leaseOwner");
    }

    @Test
    void aDocumentThatIsNotEligibleOrDoesNotExistIsNotClaimed() {
        String done = thing("done", clock.instant());

        assertThat(first.claim(Document.class, COLLECTION, done, DocumentLeasesTest::pending, null)).isEmpty();
        assertThat(first.claim(Document.class, COLLECTION, "thing-missing", d -> true, null)).isEmpty();
        assertThat(stored(done)).doesNotContainKey("leaseOwner");
    }

    @Test
    void aLeaseThatRanOutIsTakenOverAndEveryWriteOfTheOldHolderIsRefused() {
        String id = thing("pending", clock.instant());
        Lease<Document> old = first.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)
                .orElseThrow();

        clock.advance(Duration.ofSeconds(31));
        Lease<Document> taken = second.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending,
                new Update().inc("runs", 1)).orElseThrow();

        assertThat(first.write(old, new Update().set("state", "done-by-old"))).isFalse();
        assertThat(first.renew(old)).isEmpty();
        assertThat(first.release(old, new Update().set("state", "released-by-old"))).isEmpty();
        Document now = stored(id);
        assertThat(now.getString("state")).isEqualTo("pending");
        assertThat(now.getString("leaseOwner")).isEqualTo(taken.token());
        assertThat(now.getInteger("runs")).isEqualTo(1);
        // The new holder's writes go through.
        assertThat(second.write(taken, new Update().set("state", "working"))).isTrue();
        assertThat(second.release(taken, new Update().set("state", "done"))).hasValueSatisfying(after -> {
            assertThat(after.getString("state")).isEqualTo("done");
            assertThat(after).doesNotContainKeys("leaseOwner", "leaseUntil");
        });
    }

    @Test
    void aRenewalExtendsTheLeaseUnderANewTokenSoTheOldTokenNoLongerFences() {
        String id = thing("pending", clock.instant());
        Lease<Document> held = first.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)
                .orElseThrow();

        clock.advance(Duration.ofSeconds(25));
        Lease<Document> renewed = first.renew(held).orElseThrow();
        clock.advance(Duration.ofSeconds(25));   // 50 s after the claim, 25 s after the renewal

        assertThat(renewed.token()).isNotEqualTo(held.token());
        assertThat(renewed.until()).isEqualTo(clock.instant().plus(Duration.ofSeconds(5)));
        assertThat(second.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)).isEmpty();
        assertThat(first.write(held, new Update().set("state", "stale-token"))).isFalse();
        assertThat(first.write(renewed, new Update().set("state", "fresh-token"))).isTrue();
    }

    @Test
    void aHolderThatOutlivedItsLeaseGoesNoFurtherButMayStillEndItsWorkIfNoOneTookOver() {
        String id = thing("pending", clock.instant());
        Lease<Document> held = first.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)
                .orElseThrow();

        clock.advance(Duration.ofSeconds(30));

        assertThat(first.renew(held)).as("may not start another step").isEmpty();
        assertThat(first.write(held, new Update().set("state", "late-step"))).isFalse();
        assertThat(first.release(held, new Update().set("state", "done"))).as("no one did anything meanwhile")
                .hasValueSatisfying(after -> assertThat(after.getString("state")).isEqualTo("done"));
    }

    @Test
    void aDocumentFinishedByAnotherHolderBetweenTheReadAndTheClaimIsGivenBackNotWorkedOnAgain() {
        String id = thing("pending", clock.instant());

        // While this claimant decides on what it read, another holder takes the document, finishes it and gives it
        // back: the holder field is as this claimant saw it, so its compare-and-set still matches.
        Optional<Lease<Document>> late = first.claim(Document.class, COLLECTION, id, seen -> {
            if (!pending(seen)) {
                return false;
            }
            Lease<Document> other = second.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null)
                    .orElseThrow();
            second.release(other, new Update().set("state", "done"));
            return true;
        }, null);

        assertThat(late).isEmpty();
        assertThat(stored(id).getString("state")).isEqualTo("done");
        assertThat(stored(id)).doesNotContainKeys("leaseOwner", "leaseUntil");
    }

    @Test
    void manyClaimsAtOnceLeaveExactlyOneHolder() throws Exception {
        String id = thing("pending", clock.instant());
        List<Callable<Optional<Lease<Document>>>> claims = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            DocumentLeases instance = leases("instance-" + i);
            claims.add(() -> instance.claim(Document.class, COLLECTION, id, DocumentLeasesTest::pending, null));
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Lease<Document>> winners = new ArrayList<>();
            for (Future<Optional<Lease<Document>>> claim : threads.invokeAll(claims)) {
                claim.get().ifPresent(winners::add);
            }
            assertThat(winners).hasSize(1);
            assertThat(stored(id).getString("leaseOwner")).isEqualTo(winners.getFirst().token());
        } finally {
            threads.shutdown();
        }
    }

    @Test
    void findFreeFindsTheDueFreeDocumentsEarliestFirstAndSkipsHeldAndLaterOnes() {
        String marker = "batch-" + UUID.randomUUID();
        Instant now = clock.instant();
        String earliest = thing(marker, now.minusSeconds(30));
        String next = thing(marker, now.minusSeconds(20));
        String last = thing(marker, now.minusSeconds(10));
        thing(marker, now.plusSeconds(60));
        Criteria due = Criteria.where("state").is(marker).and("dueAt").lte(java.util.Date.from(now));

        assertThat(first.findFree(COLLECTION, due, Sort.by("dueAt"), 2)).containsExactly(earliest, next);
        Lease<Document> held = second.claim(Document.class, COLLECTION, earliest, any -> true, null).orElseThrow();
        assertThat(first.findFree(COLLECTION, due, Sort.by("dueAt"), 10)).as("a held one is not free")
                .containsExactly(next, last);
        assertThat(first.claim(Document.class, COLLECTION, earliest, any -> true, null)).isEmpty();
        // Once that lease runs out, the document is due and free again.
        clock.advance(Duration.ofSeconds(31));
        assertThat(first.findFree(COLLECTION, due, Sort.by("dueAt"), 10)).first().isEqualTo(held.id());
    }

    @Test
    void aFreeOwnerValueIsWrittenBackOnReleaseWhereTheDocumentKeepsOne() {
        DocumentLeases outboxStyle = new DocumentLeases(mongo, clock,
                new DocumentLeases.Fields("outboxLease", "outboxLeaseOwner", ""), Duration.ofSeconds(30), "relay");
        String id = "thing-" + UUID.randomUUID();
        mongo.insert(new Document("_id", id).append("outboxLeaseOwner", ""), COLLECTION);

        Lease<Document> held = outboxStyle.claim(Document.class, COLLECTION, id, d -> true, null).orElseThrow();
        assertThat(outboxStyle.release(held, null)).hasValueSatisfying(after -> {
            assertThat(after.getString("outboxLeaseOwner")).isEmpty();
            assertThat(after).doesNotContainKey("outboxLease");
        });
        assertThat(outboxStyle.claim(Document.class, COLLECTION, id, d -> true, null)).isPresent();
    }

    /** A clock the test moves, to let leases run out without waiting. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
