package org.pathways.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Records the reads a service sends to MongoDB: collection, filter and sort, as the driver put them on the wire.
 * By default only those made while answering HTTP requests (on the web server's threads, so not the relay's or the
 * consumers'); {@link #recordOn} widens that, e.g. to the scheduler's and the event consumers' threads. Import it
 * into a module's one test context ({@code @Import(MongoQueryLog.class)}); it only listens. Check what it recorded
 * with {@link IndexCoverage}. Needs the module's own MongoDB driver and Spring Boot MongoDB support.
 */
@TestConfiguration(proxyBeanMethods = false)
public class MongoQueryLog implements CommandListener {

    /** The web server's request threads. */
    public static final Predicate<String> WEB_THREADS = thread -> thread.startsWith("tomcat-handler");

    /**
     * The test's own threads: JUnit's and Awaitility's, which poll a condition on a thread of their own. A test that
     * reads the store to wait for an outcome must not count its own reads as the service's.
     */
    public static final Predicate<String> TEST_THREADS = thread -> thread.equals("main")
            || thread.startsWith("awaitility");

    /** The service's own background threads: neither the web server's nor the test's. */
    public static final Predicate<String> SERVICE_THREADS = WEB_THREADS.or(TEST_THREADS).negate();

    /** One read: a find, count, aggregate $match, findAndModify, update or delete filter. */
    public record Read(String thread, String command, String collection, BsonDocument filter, BsonDocument sort) {
    }

    private final List<Read> reads = new CopyOnWriteArrayList<>();
    private volatile Predicate<String> threads = WEB_THREADS;

    @Bean
    MongoClientSettingsBuilderCustomizer recordQueries() {
        return settings -> settings.addCommandListener(this);
    }

    /** Records from now on the reads made on the threads whose names pass; {@link #WEB_THREADS} restores. */
    public void recordOn(Predicate<String> threadNames) {
        this.threads = threadNames;
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String thread = Thread.currentThread().getName();
        if (!threads.test(thread)) {
            return;
        }
        // The driver's document is only valid during this call: keep a copy.
        BsonDocument command = BsonDocument.parse(event.getCommand().toJson());
        String name = event.getCommandName();
        BsonValue collection = command.get(name);
        if (collection == null || !collection.isString()) {
            return;
        }
        String in = collection.asString().getValue();
        switch (name) {
            case "find" -> reads.add(new Read(thread, name, in, document(command, "filter"), document(command, "sort")));
            case "count" -> reads.add(new Read(thread, name, in, document(command, "query"), new BsonDocument()));
            case "findAndModify" -> reads.add(new Read(thread, name, in, document(command, "query"),
                    document(command, "sort")));
            case "aggregate" -> command.getArray("pipeline").stream().limit(1)
                    .filter(stage -> stage.asDocument().containsKey("$match"))
                    .forEach(stage -> reads.add(new Read(thread, name, in,
                            stage.asDocument().getDocument("$match"), new BsonDocument())));
            case "update", "delete" -> {
                String list = name.equals("update") ? "updates" : "deletes";
                if (command.containsKey(list)) {
                    command.getArray(list).forEach(statement -> reads.add(new Read(thread, name, in,
                            document(statement.asDocument(), "q"), new BsonDocument())));
                }
            }
            default -> {
            }
        }
    }

    private static BsonDocument document(BsonDocument command, String field) {
        BsonValue value = command.get(field);
        return value != null && value.isDocument() ? value.asDocument() : new BsonDocument();
    }

    public void clear() {
        reads.clear();
    }

    public List<Read> reads() {
        return List.copyOf(reads);
    }
}
