package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The devstack's store over the real MongoDB driver: what a service reads is never half of another's update. */
class EmbeddedMongoStoreTest {

    @TempDir
    Path dir;

    @Test
    void aReadRacingUpdatesOfTheSameDocumentSeesItWholeAndAnswers() throws Exception {
        int port = BrokerClients.freePort();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(dir.resolve("store.mv"), port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> referrals = client.getDatabase("referrals").getCollection("referrals");
            // A document with many fields, as a referral with its history is: encoding it and updating it in place
            // take long enough for a race to show within a few thousand updates.
            Document referral = new Document("_id", "ref-1").append("a", 0);
            for (int f = 0; f < 2_000; f++) {
                referral.append("field" + f, "value " + f);
            }
            referrals.insertOne(referral.append("b", 0)
                    .append("status", new Document("code", "SUBMITTED").append("version", 0)));
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger reads = new AtomicInteger();
            ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(Thread.ofPlatform().start(() -> {
                    while (writing.get() && problems.size() < 5) {
                        try {
                            Document read = referrals.find(Filters.eq("_id", "ref-1")).first();
                            reads.incrementAndGet();
                            Document status = read.get("status", Document.class);
                            // One update sets a, b and the status's version to the same number, and adds or removes a
                            // field: a whole document has all three equal.
                            if (!read.get("a").equals(read.get("b")) || !read.get("a").equals(status.get("version"))) {
                                problems.add("torn: " + read.toJson());
                            }
                        } catch (RuntimeException e) {
                            problems.add(e.toString());
                        }
                    }
                }));
            }
            // The updates a service makes: several fields and a nested one at once, fields appearing and going.
            for (int i = 1; i <= 2_000 && problems.size() < 5; i++) {
                referrals.updateOne(Filters.eq("_id", "ref-1"), Updates.combine(Updates.set("a", i),
                        Updates.set("b", i), Updates.set("status.version", i),
                        i % 2 == 0 ? Updates.set("note" + (i % 7), "x") : Updates.unset("note" + ((i - 1) % 7)),
                        i % 3 == 0 ? Updates.set("status.reason" + (i % 5), "y")
                                : Updates.unset("status.reason" + ((i - 1) % 5))));
            }
            writing.set(false);
            for (Thread reader : readers) {
                reader.join(30_000);
            }
            assertThat(reads.get()).as("reads made while the updates ran").isGreaterThan(100);
            assertThat(problems).as("reads that saw a document half-updated or failed").isEmpty();
            assertThat(referrals.find(Filters.eq("_id", "ref-1")).first().getInteger("a")).isEqualTo(2_000);
        }
    }

    @Test
    void readsAndUpdatesWhatTheLibrarysOwnBackendStoredAndTheOtherWayRound() throws Exception {
        Path file = dir.resolve("older.mv");
        int port = BrokerClients.freePort();
        // A data directory of an older devstack, written by mongo-java-server's own H2 backend.
        MongoServer older = new MongoServer(new H2Backend(file.toString()));
        older.bind("localhost", port);
        try (MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            client.getDatabase("learners").getCollection("learners")
                    .insertOne(new Document("_id", "lrn-1").append("preferredLanguage", "cy"));
        } finally {
            older.shutdown();
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> learners = client.getDatabase("learners").getCollection("learners");
            assertThat(learners.find(Filters.eq("_id", "lrn-1")).first().getString("preferredLanguage"))
                    .isEqualTo("cy");
            learners.updateOne(Filters.eq("_id", "lrn-1"), Updates.set("preferredLanguage", "en"));
            learners.insertOne(new Document("_id", "lrn-2"));
            learners.deleteOne(Filters.eq("_id", "lrn-2"));
        }
        MongoServer again = new MongoServer(new H2Backend(file.toString()));
        again.bind("localhost", port);
        try (MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> learners = client.getDatabase("learners").getCollection("learners");
            assertThat(learners.find(Filters.eq("_id", "lrn-1")).first().getString("preferredLanguage"))
                    .as("an update through the devstack's store, stored").isEqualTo("en");
            assertThat(learners.countDocuments()).as("a delete through the devstack's store, stored").isEqualTo(1);
        } finally {
            again.shutdown();
        }
    }
}
