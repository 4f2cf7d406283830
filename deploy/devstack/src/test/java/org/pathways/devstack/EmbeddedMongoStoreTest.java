package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import org.bson.Document;
import org.bson.types.Binary;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pathways.testing.StoreRaces;

/**
 * The devstack's store over the real MongoDB driver: what a service reads is never half of another's update; every
 * kind of value comes back as it was stored, after a restart too; an older devstack's data is taken once.
 */
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
    void writersOnNewCollectionsWhileTheirIndexesAreAddedLoseNothingAndFailNothing() throws Exception {
        int port = BrokerClients.freePort();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(dir.resolve("store.mv"), port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            assertThat(StoreRaces.writersOnNewCollectionsWhileAnIndexIsAdded(client, "progression", 25))
                    .as("writes that failed or were not stored").isEmpty();
        }
    }

    @Test
    void takesAnOlderDevstacksDataOnceAndLeavesItsFileReadableAsItWas() throws Exception {
        Path legacy = dir.resolve(EmbeddedMongoStore.LEGACY_FILE);
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        // A data directory of an older devstack, written by mongo-java-server's own H2 backend.
        MongoServer older = new MongoServer(new H2Backend(legacy.toString()));
        older.enableOplog(); // as every older devstack had it: a document of every write ever made
        older.bind("localhost", port);
        try (MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> learners = client.getDatabase("learners").getCollection("learners");
            learners.createIndex(new Document("email", 1), new IndexOptions().unique(true));
            learners.insertOne(new Document("_id", "lrn-1").append("preferredLanguage", "cy")
                    .append("email", "one@example.org"));
        } finally {
            older.shutdown();
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            assertThat(store.movedFromLegacyFile()).as("documents copied from the older file").isEqualTo(1);
            assertThat(client.listDatabaseNames()).as("the older oplog's database, not copied").doesNotContain("local");
            MongoCollection<Document> learners = client.getDatabase("learners").getCollection("learners");
            assertThat(learners.find(Filters.eq("_id", "lrn-1")).first().getString("preferredLanguage"))
                    .isEqualTo("cy");
            // Its unique index came with it.
            Document sameEmail = new Document("_id", "lrn-3").append("email", "one@example.org");
            assertThatThrownBy(() -> learners.insertOne(sameEmail)).isInstanceOf(MongoWriteException.class);
            learners.updateOne(Filters.eq("_id", "lrn-1"), Updates.set("preferredLanguage", "en"));
            learners.insertOne(new Document("_id", "lrn-2"));
            learners.deleteOne(Filters.eq("_id", "lrn-2"));
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            assertThat(store.movedFromLegacyFile()).as("copied once, not at every start").isEqualTo(-1);
            MongoCollection<Document> learners = client.getDatabase("learners").getCollection("learners");
            assertThat(learners.find(Filters.eq("_id", "lrn-1")).first().getString("preferredLanguage"))
                    .as("an update through the devstack's store, stored").isEqualTo("en");
            assertThat(learners.countDocuments()).as("a delete through the devstack's store, stored").isEqualTo(1);
        }
        // The older devstack still opens its own file, with the data as it was when it was copied.
        MongoServer again = new MongoServer(new H2Backend(legacy.toString()));
        again.bind("localhost", port);
        try (MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            assertThat(client.getDatabase("learners").getCollection("learners").find(Filters.eq("_id", "lrn-1"))
                    .first().getString("preferredLanguage")).isEqualTo("cy");
        } finally {
            again.shutdown();
        }
    }

    @Test
    void countsTheCommandsItAnswersByDatabaseCommandAndCollection() throws Exception {
        int port = BrokerClients.freePort();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(dir.resolve(EmbeddedMongoStore.FILE), port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> referrals = client.getDatabase("referrals").getCollection("referrals");
            referrals.insertOne(new Document("_id", "r-1"));
            referrals.insertOne(new Document("_id", "r-2"));
            referrals.updateOne(Filters.eq("_id", "r-1"), Updates.set("status", "RECEIVED"));
            client.getDatabase("notifications").getCollection("deliveries").find(Filters.eq("_id", "d-1")).first();
            // By a field no unique index keys: every referral read (and the update's query too).
            referrals.find(Filters.eq("status", "RECEIVED")).first();
            referrals.updateMany(Filters.eq("status", "SUBMITTED"), Updates.set("seen", true));

            Document answer = client.getDatabase("admin").runCommand(new Document("pathwaysCommandCounts", 1));
            List<Document> counts = answer.getList("counts", Document.class);
            assertThat(counts).extracting(c -> c.getString("database") + " " + c.getString("command") + " "
                            + c.getString("collection") + " " + c.getLong("count"))
                    .contains("referrals insert referrals 2", "referrals update referrals 2",
                            "notifications find deliveries 1", "referrals scan referrals 2")
                    .noneMatch(line -> line.contains("r-1") || line.contains("RECEIVED"));
        }
    }

    @Test
    void aGuardedWriteByIdReadsItsOneDocumentAndAnswersAsAScanWould() throws Exception {
        int port = BrokerClients.freePort();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(dir.resolve(EmbeddedMongoStore.FILE), port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> counters = client.getDatabase("feed").getCollection("counters");
            for (String agency : List.of("a", "b", "c")) {
                counters.insertOne(new Document("_id", agency).append("sequence", 5L));
            }
            org.bson.types.ObjectId objectId = new org.bson.types.ObjectId();
            counters.insertOne(new Document("_id", objectId).append("sequence", 1L));

            // A compare-and-set as the feed makes it: {$and: [{_id}, {sequence}]}, and {_id, sequence}.
            assertThat(counters.updateOne(Filters.and(Filters.eq("_id", "a"), Filters.eq("sequence", 5L)),
                    Updates.set("sequence", 7L)).getMatchedCount()).as("the counter at the number guessed").isOne();
            assertThat(counters.updateOne(new Document("_id", "a").append("sequence", 5L),
                    Updates.set("sequence", 9L)).getMatchedCount()).as("moved on meanwhile").isZero();
            assertThat(counters.updateOne(new Document("_id", objectId).append("sequence", 1L),
                    Updates.inc("sequence", 1L)).getMatchedCount()).as("by an ObjectId").isOne();
            assertThat(counters.find(Filters.and(Filters.eq("_id", "b"), Filters.or(Filters.exists("sequence", false),
                    Filters.eq("sequence", 5L)))).first()).as("an $or beside the id").isNotNull();
            assertThat(counters.find(new Document("_id", "nobody").append("sequence", 5L)).first()).isNull();
            // An upsert guarded by a number the counter has left: its insert meets the id, as on MongoDB.
            assertThatThrownBy(() -> counters.updateOne(new Document("_id", "c").append("sequence", 4L),
                    Updates.set("sequence", 6L), new UpdateOptions().upsert(true)))
                    .isInstanceOf(MongoWriteException.class);
            assertThat(counters.updateOne(new Document("_id", "d").append("sequence", 0L),
                    Updates.set("sequence", 3L), new UpdateOptions().upsert(true)).getUpsertedId()).isNotNull();
            assertThat(counters.find().sort(new Document("sequence", 1)).map(doc -> doc.get("_id") + "="
                    + doc.get("sequence")).into(new ArrayList<>()))
                    .containsExactly(objectId + "=2", "d=3", "b=5", "c=5", "a=7");

            Document answer = client.getDatabase("admin").runCommand(new Document("pathwaysCommandCounts", 1));
            assertThat(answer.getList("counts", Document.class)).extracting(c -> c.getString("command") + " "
                    + c.getString("collection") + " " + c.getLong("count"))
                    .as("only the unfiltered read of every counter reads them all").contains("scan counters 1");
        }
    }

    @Test
    void everyWriteItAnsweredIsThereAsLastWrittenAfterItsProcessIsKilled() throws Exception {
        // The store in a JVM of its own, killed with SIGKILL after writes of every kind from three writers at once,
        // for longer than the store waits between its page writes: the last seconds of them are in no page written.
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        Map<String, Map<Object, Document>> answered = new TreeMap<>();
        List<Object> upsertedIds = java.util.Collections.synchronizedList(new ArrayList<>());
        int exit;
        try (StoreProcess process = StoreProcess.start(file, port, true);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoDatabase database = client.getDatabase("killed");
            MongoCollection<Document> referrals = database.getCollection("referrals");
            referrals.createIndex(new Document("reference", 1), new IndexOptions().unique(true));
            database.getCollection("dropped").insertOne(new Document("_id", "d-1"));
            database.getCollection("dropped").drop();
            long until = System.nanoTime() + (EmbeddedMongoStore.AUTO_COMMIT_DELAY_MS + 1_500) * 1_000_000L;
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int round = 0; System.nanoTime() < until; round++) {
                            write(database, writer, round, upsertedIds);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread writer : writers) {
                writer.join();
            }
            assertThat(failures).isEmpty();
            for (String name : database.listCollectionNames()) {
                Map<Object, Document> documents = new java.util.LinkedHashMap<>();
                database.getCollection(name).find().forEach(doc -> documents.put(doc.get("_id"), doc));
                answered.put(name, documents);
            }
            // One write right before the kill: a page write while the collections were read back (every 3 s) may
            // have emptied the journal, and the replay must still be shown to take what it holds.
            Document last = new Document("_id", "last-before-kill").append("reference", "last-before-kill");
            referrals.insertOne(last);
            answered.get("referrals").put("last-before-kill", last);
            exit = process.kill();
        }
        assertThat(exit).as("the store's JVM ended by SIGKILL").isEqualTo(128 + 9);
        assertThat(upsertedIds).as("upserts whose id the store made").isNotEmpty();

        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoDatabase database = client.getDatabase("killed");
            Map<String, Map<Object, Document>> found = new TreeMap<>();
            for (String name : database.listCollectionNames()) {
                Map<Object, Document> documents = new java.util.LinkedHashMap<>();
                database.getCollection(name).find().forEach(doc -> documents.put(doc.get("_id"), doc));
                found.put(name, documents);
            }
            List<String> differences = new ArrayList<>();
            Set<String> names = new TreeSet<>(answered.keySet());
            names.addAll(found.keySet());
            for (String name : names) {
                Map<Object, Document> expected = answered.getOrDefault(name, Map.of());
                Map<Object, Document> actual = found.getOrDefault(name, Map.of());
                Set<Object> ids = new java.util.HashSet<>(expected.keySet());
                ids.addAll(actual.keySet());
                for (Object id : ids) {
                    if (!Objects.equals(expected.get(id), actual.get(id))) {
                        differences.add(name + " " + id + ": answered " + expected.get(id) + ", found "
                                + actual.get(id));
                    }
                }
            }
            assertThat(differences).as("documents not as the killed store last answered (of %d)",
                    answered.values().stream().mapToInt(Map::size).sum()).isEmpty();
            assertThat(found).as("a dropped collection stays dropped").doesNotContainKey("dropped");
            assertThat(store.replayedFromJournal()).as("documents taken from the journal").isPositive();
            // The unique index came back, and guards the references as they were last written.
            String taken = answered.get("referrals").values().iterator().next().getString("reference");
            assertThatThrownBy(() -> database.getCollection("referrals")
                    .insertOne(new Document("_id", "again").append("reference", taken)))
                    .isInstanceOf(MongoWriteException.class);
        }
    }

    /** One round of a writer's writes of every kind, as the services make them. */
    private static void write(MongoDatabase database, int writer, int round, List<Object> upsertedIds) {
        MongoCollection<Document> referrals = database.getCollection("referrals");
        String id = "ref-" + writer + "-" + round;
        referrals.insertOne(new Document("_id", id).append("reference", "R" + writer + "-" + round)
                .append("status", "SUBMITTED").append("history", List.of(new Document("at", new Date()))));
        if (round % 2 == 1) {
            referrals.updateOne(Filters.eq("_id", "ref-" + writer + "-" + (round - 1)), Updates.combine(
                    Updates.set("status", "ACCEPTED"), Updates.push("history", new Document("round", round))));
        }
        if (round % 6 == 5) {
            // A unique key moved from one document to another: the first let go of it, then the second took it.
            referrals.updateOne(Filters.eq("_id", "ref-" + writer + "-" + (round - 5)),
                    Updates.set("reference", "moved-" + writer + "-" + round));
            referrals.updateOne(Filters.eq("_id", "ref-" + writer + "-" + (round - 4)),
                    Updates.set("reference", "R" + writer + "-" + (round - 5)));
        }
        if (round % 4 == 3) {
            referrals.deleteOne(Filters.eq("_id", "ref-" + writer + "-" + (round - 2)));
        }
        if (round % 5 == 4) {
            referrals.replaceOne(Filters.eq("_id", "ref-" + writer + "-" + (round - 4)),
                    new Document("reference", "replaced-" + writer + "-" + round).append("status", "WITHDRAWN"));
        }
        // One document every writer changes: the last change answered is the one kept.
        database.getCollection("counts").updateOne(Filters.eq("_id", "shared"),
                Updates.combine(Updates.inc("count", 1), Updates.set("last", writer + "-" + round)),
                new UpdateOptions().upsert(true));
        database.getCollection("leases").findOneAndUpdate(Filters.eq("_id", "lease-" + round % 7),
                Updates.combine(Updates.set("owner", "writer-" + writer), Updates.inc("version", 1)),
                new FindOneAndUpdateOptions().upsert(true).returnDocument(ReturnDocument.AFTER));
        if (round % 3 == 0) {
            // An upsert by another field than _id: the store makes the new document's ObjectId.
            Object upserted = database.getCollection("inbox").updateOne(
                    Filters.eq("eventId", "event-" + writer + "-" + round), Updates.set("done", true),
                    new UpdateOptions().upsert(true)).getUpsertedId();
            if (upserted != null) {
                upsertedIds.add(upserted);
            }
            database.getCollection("inbox").insertMany(List.of(new Document("eventId", "bulk-" + writer + "-" + round),
                    new Document("eventId", "bulk-" + writer + "-" + round + "b")));
        }
        if (round % 7 == 6) {
            database.getCollection("leases").findOneAndDelete(Filters.eq("_id", "lease-" + (round + 1) % 7));
            database.getCollection("inbox").bulkWrite(List.of(
                    new com.mongodb.client.model.InsertOneModel<>(new Document("_id", "b-" + writer + "-" + round)),
                    new com.mongodb.client.model.UpdateOneModel<>(Filters.eq("_id", "b-" + writer + "-" + round),
                            Updates.set("seen", round)),
                    new com.mongodb.client.model.DeleteManyModel<>(Filters.eq("eventId",
                            "bulk-" + writer + "-" + (round - 3) + "b"))));
        }
    }

    @Test
    void keepsEveryKindOfValueAsItWasStoredAcrossARestart() throws Exception {
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        Date at = new Date(1_764_000_000_123L);
        UUID uuid = UUID.fromString("0f8fad5b-d9cb-469f-a165-70867728950e");
        Document stored = new Document("_id", new ObjectId("65f0c0ffee0000000000abcd"))
                .append("text", "Dysgu Cymraeg — ça va") .append("int", 7).append("long", 9_007_199_254_740_993L)
                .append("double", 2.5).append("decimal", new Decimal128(new java.math.BigDecimal("25.50")))
                .append("flag", true).append("none", null).append("at", at)
                .append("uuid", new Binary(org.bson.BsonBinarySubType.UUID_STANDARD, uuidBytes(uuid)))
                .append("bytes", new Binary(new byte[] {1, 2, 3}))
                .append("list", List.of(1, "two", new Document("three", 3L)))
                .append("nested", new Document("deeper", new Document("deepest", List.of(at))));
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            client.getDatabase("kinds").getCollection("values").insertOne(stored);
            client.getDatabase("kinds").getCollection("values").insertOne(new Document("_id", 42)
                    .append("counter", 1));
            client.getDatabase("kinds").getCollection("values").updateOne(Filters.eq("_id", 42),
                    Updates.inc("counter", 2_147_483_647L));
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> values = client.getDatabase("kinds").getCollection("values");
            assertThat(values.find(Filters.eq("_id", stored.get("_id"))).first()).isEqualTo(stored);
            assertThat(values.find(Filters.eq("_id", 42)).first().get("counter")).isEqualTo(2_147_483_648L);
        }
    }

    @Test
    void documentsChangedWhileTheirPagesAreWrittenComeBackAsLastChangedAfterARestart() throws Exception {
        // Documents inserted, updated, replaced, modified, upserted and deleted while the MVStore writes their pages (in
        // the background, every few seconds): the file must have each as last changed, its neighbours as they were.
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        Map<Object, Document> expected = new TreeMap<>();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> docs = client.getDatabase("pages").getCollection("docs");
            for (int i = 0; i < 400; i++) {
                Document doc = new Document("_id", i).append("text", "document " + i).append("count", 0)
                        .append("tags", List.of("a", "b"));
                docs.insertOne(doc);
                expected.put(i, doc);
            }
            // Long enough for the MVStore to write its pages at least twice between the changes.
            long until = System.nanoTime() + 2 * EmbeddedMongoStore.AUTO_COMMIT_DELAY_MS * 1_000_000L + 500_000_000L;
            for (int round = 1; System.nanoTime() < until || round <= 3; round++) {
                int changed = (round * 37) % 400;
                docs.updateOne(Filters.eq("_id", changed), Updates.combine(Updates.inc("count", 1),
                        Updates.set("round", round)));
                expected.put(changed, docs.find(Filters.eq("_id", changed)).first());
                int replaced = (round * 53 + 11) % 400;
                Document replacement = new Document("_id", replaced).append("text", "replaced in round " + round);
                if (docs.replaceOne(Filters.eq("_id", replaced), replacement).getMatchedCount() == 1) {
                    expected.put(replaced, replacement); // not when deleted in an earlier round
                }
                Document modified = docs.findOneAndUpdate(Filters.eq("_id", (round * 71 + 5) % 400),
                        Updates.push("tags", "r" + round), new FindOneAndUpdateOptions()
                                .returnDocument(ReturnDocument.AFTER));
                if (modified != null) { // null: deleted in an earlier round
                    expected.put(modified.get("_id"), modified);
                }
                docs.updateOne(Filters.eq("_id", 1_000 + round % 5), Updates.inc("upserted", 1),
                        new UpdateOptions().upsert(true));
                expected.put(1_000 + round % 5, docs.find(Filters.eq("_id", 1_000 + round % 5)).first());
                if (round % 7 == 0) {
                    docs.deleteOne(Filters.eq("_id", (round * 13) % 400));
                    expected.remove((round * 13) % 400);
                }
                Thread.sleep(20);
            }
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            Map<Object, Document> found = new TreeMap<>();
            client.getDatabase("pages").getCollection("docs").find().forEach(doc -> found.put(doc.get("_id"), doc));
            List<String> differences = new ArrayList<>();
            Set<Object> ids = new TreeSet<>(expected.keySet());
            ids.addAll(found.keySet());
            for (Object id : ids) {
                if (!Objects.equals(expected.get(id), found.get(id))) {
                    differences.add(id + ": expected " + expected.get(id) + ", found " + found.get(id));
                }
            }
            assertThat(differences).isEmpty();
        }
    }

    @Test
    void writesOfPagesBiggerThanTheLibraryKeepsReuseOneBufferAndComeBackWhole() throws Exception {
        // Two changes of about 16 MB each, one after the other: a later write of changed pages goes into the buffer an
        // earlier one left (KeptBufferFileStore), and the file must have every document as inserted.
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        Map<Object, Document> expected = new TreeMap<>();
        String filler = "x".repeat(4_000);
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> docs = client.getDatabase("pages").getCollection("big");
            for (int write = 0; write < 2; write++) {
                List<Document> batch = new ArrayList<>();
                for (int i = 0; i < 4_000; i++) {
                    Document doc = new Document("_id", UUID.randomUUID().toString()).append("write", write)
                            .append("text", filler + i);
                    batch.add(doc);
                    expected.put(doc.get("_id"), doc);
                }
                docs.insertMany(batch);
                // Written within the store's delay (or sooner, in parts); bounded, then checked.
                long until = System.nanoTime() + 4 * EmbeddedMongoStore.AUTO_COMMIT_DELAY_MS * 1_000_000L;
                while ((write == 0 ? store.largestKeptWriteBuffer() <= 4 * 1024 * 1024
                        : store.keptWriteBufferReuses() == 0) && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
            }
            assertThat(store.largestKeptWriteBuffer()).as("the buffer of a write of over 4 MB, kept")
                    .isGreaterThan(4 * 1024 * 1024);
            assertThat(store.keptWriteBufferReuses()).as("writes that took the buffer an earlier one left")
                    .isPositive();
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            Map<Object, Document> found = new TreeMap<>();
            client.getDatabase("pages").getCollection("big").find().forEach(doc -> found.put(doc.get("_id"), doc));
            assertThat(found).hasSameSizeAs(expected);
            assertThat(found).isEqualTo(expected);
        }
    }

    @Test
    void aUniqueIndexFindsAndGuardsEveryKeyAfterARestart() throws Exception {
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        // Keys of several kinds, enough of them for the index's map to split into many pages.
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            keys.add(switch (i % 6) {
                case 0 -> "key-" + i;
                case 1 -> i;
                case 2 -> (long) i * 1_000_000_007L;
                case 3 -> i + 0.5;
                case 4 -> new Date(1_700_000_000_000L + i);
                default -> new Document("agency", "agency-" + i).append("step", i % 7);
            });
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> guarded = client.getDatabase("kinds").getCollection("guarded");
            guarded.createIndex(new Document("key", 1), new IndexOptions().unique(true));
            for (int i = 0; i < keys.size(); i++) {
                guarded.insertOne(new Document("_id", "doc-" + i).append("key", keys.get(i)));
            }
        }
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> guarded = client.getDatabase("kinds").getCollection("guarded");
            for (int i = 0; i < keys.size(); i += 7) {
                Object key = keys.get(i);
                assertThat(guarded.find(Filters.eq("key", key)).first()).as("key %s", key).isNotNull()
                        .extracting(found -> found.get("_id")).isEqualTo("doc-" + i);
                assertThatThrownBy(() -> guarded.insertOne(new Document("_id", "again").append("key", key)))
                        .as("a second document with key %s", key).isInstanceOf(MongoWriteException.class);
            }
            assertThat(guarded.countDocuments()).isEqualTo(keys.size());
        }
    }

    @Test
    void startsAfterAKillWhoseLastPageWriteCaughtACollectionAndItsIndexesAtDifferentMoments() throws Exception {
        // The MVStore writes one map's pages after another's while writes go on: the file a kill leaves can have a
        // document in its indexes and not in its collection, or in its collection with an older version's key still
        // in an index. Every such document is in the journal, which has the last of it.
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        int port = BrokerClients.freePort();
        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> referrals = client.getDatabase("torn").getCollection("referrals");
            referrals.createIndex(new Document("reference", 1), new IndexOptions().unique(true));
            referrals.insertOne(new Document("_id", "kept").append("reference", "R-kept"));
            referrals.insertOne(new Document("_id", "inserted").append("reference", "R-inserted"));
            referrals.insertOne(new Document("_id", "moved").append("reference", "R-old"));
        }
        MVStore pages = MVStore.open(file.toString());
        pages.openMap("databases.torn.referrals", new org.h2.mvstore.MVMap.Builder<Object, Object>()
                .keyType(new EmbeddedMongoStore.Ids()).valueType(EmbeddedMongoStore.BsonDocuments.ANY))
                .remove("inserted"); // its index entries written, not the document
        pages.openMap("databases.torn.referrals", new org.h2.mvstore.MVMap.Builder<Object, Object>()
                .keyType(new EmbeddedMongoStore.Ids()).valueType(EmbeddedMongoStore.BsonDocuments.ANY))
                .put("moved", new de.bwaldvogel.mongo.bson.Document("_id", "moved").append("reference", "R-new"));
        assertThat(pages.getMapNames()).contains("torn.referrals._index_reference_1", "torn.referrals._index__id_");
        pages.close();
        try (WriteJournal journal = WriteJournal.start(file)) {
            journal.put("torn", "referrals",
                    new de.bwaldvogel.mongo.bson.Document("_id", "inserted").append("reference", "R-inserted"));
            journal.put("torn", "referrals",
                    new de.bwaldvogel.mongo.bson.Document("_id", "moved").append("reference", "R-new"));
            journal.flush();
        } // closed, not deleted: as a killed process leaves it

        try (EmbeddedMongoStore store = EmbeddedMongoStore.start(file, port);
                MongoClient client = MongoClients.create("mongodb://localhost:" + port)) {
            MongoCollection<Document> referrals = client.getDatabase("torn").getCollection("referrals");
            assertThat(referrals.find().sort(new Document("_id", 1)).map(doc -> doc.getString("_id") + " "
                    + doc.getString("reference")).into(new ArrayList<>()))
                    .containsExactly("inserted R-inserted", "kept R-kept", "moved R-new");
            assertThat(referrals.find(Filters.eq("reference", "R-inserted")).first()).isNotNull();
            referrals.insertOne(new Document("_id", "later").append("reference", "R-old")); // the old key let go
            for (Document taken : List.of(new Document("_id", "inserted"), new Document("_id", "other")
                    .append("reference", "R-new"), new Document("_id", "other").append("reference", "R-kept"))) {
                assertThatThrownBy(() -> referrals.insertOne(taken)).as("%s", taken)
                        .isInstanceOf(MongoWriteException.class);
            }
        }
    }

    @Test
    void refusesAFileOfANewerDevstackSayingWhatToDo() throws Exception {
        Path file = dir.resolve(EmbeddedMongoStore.FILE);
        MVStore newer = MVStore.open(file.toString());
        newer.<String, Object>openMap(EmbeddedMongoStore.FORMAT_MAP).put("version", 99);
        newer.close();

        assertThatThrownBy(() -> EmbeddedMongoStore.start(file, BrokerClients.freePort()))
                .hasMessageContaining("newer devstack").hasMessageContaining("delete the file");
    }

    private static byte[] uuidBytes(UUID uuid) {
        return java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
    }
}
