package org.pathways.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tests' store over the real MongoDB driver: a read is never half of another caller's update, and no update is
 * lost.
 */
class CopyOnReadMemoryBackendTest {

    private MongoServer server;
    private MongoClient client;

    @BeforeEach
    void start() {
        server = new MongoServer(new CopyOnReadMemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
    }

    @Test
    void aReadRacingUpdatesOfTheSameDocumentSeesItWholeAndAnswers() throws Exception {
        MongoCollection<Document> referrals = client.getDatabase("referrals").getCollection("referrals");
        // Many fields, as a referral with its history has: encoding it takes long enough for a race to show.
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
                        // One update sets a, b and the status's version to the same number: whole, all three agree.
                        if (!read.get("a").equals(read.get("b")) || !read.get("a").equals(status.get("version"))) {
                            problems.add("torn: a=" + read.get("a") + " b=" + read.get("b") + " v="
                                    + status.get("version"));
                        }
                    } catch (RuntimeException e) {
                        problems.add(e.toString());
                    }
                }
            }));
        }
        for (int i = 1; i <= 2_000 && problems.size() < 5; i++) {
            referrals.updateOne(Filters.eq("_id", "ref-1"), Updates.combine(Updates.set("a", i),
                    Updates.set("b", i), Updates.set("status.version", i),
                    i % 2 == 0 ? Updates.set("note" + (i % 7), "x") : Updates.unset("note" + ((i - 1) % 7))));
        }
        writing.set(false);
        for (Thread reader : readers) {
            reader.join(30_000);
        }
        assertThat(reads.get()).as("reads made while the updates ran").isGreaterThan(100);
        assertThat(problems).as("reads that saw a document half-updated or failed").isEmpty();
        Document last = referrals.find(Filters.eq("_id", "ref-1")).first();
        assertThat(last.getInteger("a")).as("the last update, stored").isEqualTo(2_000);
        assertThat(last.keySet()).as("fields an update removed stay removed").doesNotContain("note6");
    }

    @Test
    void concurrentWritersOnOneDocumentLoseNoUpdateAndTheIndexesFollow() throws Exception {
        MongoCollection<Document> facts = client.getDatabase("progression").getCollection("facts");
        facts.createIndex(new Document("key", 1), new com.mongodb.client.model.IndexOptions().unique(true));
        List<Thread> writers = new ArrayList<>();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        for (int w = 0; w < 4; w++) {
            writers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 250; i++) {
                    try {
                        // the first of them inserts it (an upsert answers with the document it stored)
                        facts.findOneAndUpdate(Filters.eq("_id", "f-1"),
                                Updates.combine(Updates.inc("count", 1), Updates.setOnInsert("key", "k-0")),
                                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
                    } catch (RuntimeException e) {
                        problems.add(e.toString());
                    }
                }
            }));
        }
        for (Thread writer : writers) {
            writer.join(60_000);
        }
        assertThat(problems).isEmpty();
        assertThat(facts.find(Filters.eq("_id", "f-1")).first().getInteger("count")).isEqualTo(1_000);
        // A changed unique key moves in the index: the old key is free, the new one taken.
        facts.updateOne(Filters.eq("_id", "f-1"), Updates.set("key", "k-1"));
        facts.insertOne(new Document("_id", "f-2").append("key", "k-0"));
        assertThat(facts.find(Filters.eq("key", "k-1")).first().getString("_id")).isEqualTo("f-1");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> facts.insertOne(new Document("_id", "f-3").append("key", "k-1")))
                .hasMessageContaining("duplicate key");
    }
    @Test
    void writersOnNewCollectionsWhileTheirIndexesAreAddedLoseNothingAndFailNothing() throws Exception {
        // Before: "Unknown error: null" (an index added while a write went through the collection's indexes).
        assertThat(StoreRaces.writersOnNewCollectionsWhileAnIndexIsAdded(client, "progression", 25))
                .as("writes that failed or were not stored").isEmpty();
    }
}
