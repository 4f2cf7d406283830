package org.pathways.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.WriteModel;
import org.bson.Document;

/**
 * Races a Mongo-wire store must survive, run over the real driver against the tests' store and the devstack's alike.
 */
public final class StoreRaces {

    private StoreRaces() {
    }

    /**
     * Several writers make the first writes of collections that do not exist yet, at once (unordered bulk upserts, as
     * a new generation's first batches do), while another caller adds a unique index to each. Answers what failed or
     * was not stored, empty when every write was.
     */
    public static List<String> writersOnNewCollectionsWhileAnIndexIsAdded(MongoClient client, String databaseName,
            int rounds) throws InterruptedException {
        MongoDatabase database = client.getDatabase(databaseName);
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        int writers = 6;
        int perWriter = 20;
        for (int round = 0; round < rounds && problems.isEmpty(); round++) {
            String name = "new-" + round;
            CyclicBarrier start = new CyclicBarrier(writers + 1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        List<WriteModel<Document>> upserts = new ArrayList<>();
                        for (int i = 0; i < perWriter; i++) {
                            upserts.add(new UpdateOneModel<>(Filters.eq("_id", "w" + writer + "-" + i),
                                    Updates.inc("n", 1), new UpdateOptions().upsert(true)));
                        }
                        database.getCollection(name).bulkWrite(upserts, new BulkWriteOptions().ordered(false));
                    } catch (Exception e) {
                        problems.add(name + ": " + e);
                    }
                }));
            }
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    database.getCollection(name).createIndex(new Document("key", 1),
                            new IndexOptions().unique(true).sparse(true));
                } catch (Exception e) {
                    problems.add(name + ": " + e);
                }
            }));
            for (Thread thread : threads) {
                thread.join(60_000);
            }
            long stored = database.getCollection(name).countDocuments();
            if (stored != (long) writers * perWriter) {
                problems.add(name + ": " + stored + " documents stored of " + writers * perWriter);
            }
        }
        return List.copyOf(problems);
    }
}
