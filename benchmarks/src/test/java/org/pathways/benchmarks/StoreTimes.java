package org.pathways.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Where the services' time in the store goes ({@code -Dbenchmark.store-times=true}): every command each service
 * sends, grouped by database, command, collection and the <i>shape</i> of its filter (field names and operators,
 * values left out), with how many were sent and the time they took as the driver saw it. A query that reads a whole
 * collection on the embedded store stands out by its mean. Added to every service's context as an extra source
 * ({@code spring.main.sources}); only listens.
 */
@Configuration(proxyBeanMethods = false)
public class StoreTimes {

    private record Shape(String database, String command, String collection, String filter, Filter keys) {
    }

    /** A filter's top-level fields, and whether any of them is given as an operator document (e.g. {@code $in}). */
    private record Filter(java.util.Set<String> fields, boolean operators) {

        static Filter of(BsonValue filter) {
            if (filter == null || !filter.isDocument()) {
                return new Filter(java.util.Set.of(), false);
            }
            BsonDocument document = filter.asDocument();
            return new Filter(java.util.Set.copyOf(document.keySet()),
                    document.values().stream().anyMatch(BsonValue::isDocument));
        }
    }

    private static final class Totals {
        final LongAdder count = new LongAdder();
        final LongAdder nanos = new LongAdder();
    }

    private static final Map<Shape, Totals> TOTALS = new ConcurrentHashMap<>();
    private static final Map<Long, Shape> STARTED = new ConcurrentHashMap<>();

    @Bean
    MongoClientSettingsBuilderCustomizer storeTimesListener() {
        return settings -> settings.addCommandListener(new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent event) {
                STARTED.put(key(event), shape(event));
            }

            @Override
            public void commandSucceeded(CommandSucceededEvent event) {
                done(event.getRequestId(), event.getElapsedTime(TimeUnit.NANOSECONDS));
            }

            @Override
            public void commandFailed(CommandFailedEvent event) {
                done(event.getRequestId(), event.getElapsedTime(TimeUnit.NANOSECONDS));
            }
        });
    }

    private static long key(CommandStartedEvent event) {
        return event.getRequestId();   // the driver numbers its requests across the JVM
    }

    private static void done(int requestId, long nanos) {
        Shape shape = STARTED.remove((long) requestId);
        if (shape != null) {
            Totals totals = TOTALS.computeIfAbsent(shape, ignored -> new Totals());
            totals.count.increment();
            totals.nanos.add(nanos);
        }
    }

    private static Shape shape(CommandStartedEvent event) {
        String name = event.getCommandName();
        BsonDocument command = event.getCommand();
        BsonValue target = command.get(name);
        String collection = target != null && target.isString() ? target.asString().getValue() : "";
        BsonValue query = switch (name) {
            case "find" -> command.get("filter");
            case "count", "findAndModify" -> command.get("query");
            case "delete" -> first(command, "deletes");
            case "update" -> first(command, "updates");
            default -> null;
        };
        String filter = switch (name) {
            case "find", "count", "findAndModify" -> shape(query) + sort(command);
            case "delete", "update" -> query == null ? "(in a document sequence)" : shape(query);
            case "aggregate" -> command.getArray("pipeline", new BsonArray()).stream().limit(1)
                    .map(stage -> shape(stage)).findFirst().orElse("");
            default -> "";
        };
        boolean reads = java.util.Set.of("find", "count", "findAndModify", "delete", "update").contains(name);
        return new Shape(event.getDatabaseName(), name, collection, filter, reads ? Filter.of(query) : null);
    }

    private static String sort(BsonDocument command) {
        BsonValue sort = command.get("sort");
        return sort == null || sort.isNull() ? "" : " sort " + shape(sort);
    }

    private static BsonValue first(BsonDocument command, String list) {
        // Bulk writes go out as one command with several statements: their first filter's shape names them.
        BsonValue statements = command.get(list);
        if (statements == null || !statements.isArray() || statements.asArray().isEmpty()) {
            return null;
        }
        return statements.asArray().get(0).asDocument().get("q");
    }

    private static String shape(BsonValue value) {
        if (value == null) {
            return "{}";
        }
        if (value.isDocument()) {
            List<String> fields = new ArrayList<>();
            value.asDocument().forEach((field, inner) -> fields.add(
                    inner.isDocument() || (inner.isArray() && field.startsWith("$")) ? field + ":" + shape(inner)
                            : field));
            return "{" + String.join(",", fields) + "}";
        }
        if (value.isArray()) {
            return "[" + String.join(",", value.asArray().stream().limit(3).map(StoreTimes::shape).toList()) + "]";
        }
        return "?";
    }

    /**
     * The shapes the embedded store answers by reading the whole collection, most time first. {@code mongo-java-server}
     * serves a query from an index only when the query's top-level fields are exactly the index's fields (and, for a
     * compound index, none is given as an operator document); {@code indexes} gives each collection's indexes' field
     * sets (database, collection).
     */
    public static List<String> scans(java.util.function.BiFunction<String, String, List<java.util.Set<String>>> indexes,
                                     int limit) {
        List<String> lines = new ArrayList<>();
        TOTALS.entrySet().stream()
                .filter(entry -> entry.getKey().keys() != null && scans(entry.getKey(), indexes))
                .sorted(Comparator.comparingLong((Map.Entry<Shape, Totals> entry) -> entry.getValue().nanos.sum())
                        .reversed())
                .limit(limit)
                .forEach(entry -> lines.add(line(entry)));
        return lines;
    }

    private static boolean scans(Shape shape,
                                 java.util.function.BiFunction<String, String, List<java.util.Set<String>>> indexes) {
        Filter filter = shape.keys();
        List<java.util.Set<String>> declared = indexes.apply(shape.database(), shape.collection());
        if (declared.isEmpty()) {
            return false;   // no such collection (not even its _id index): nothing to read
        }
        for (java.util.Set<String> index : declared) {
            if (index.equals(filter.fields()) && (index.size() == 1 || !filter.operators())) {
                return false;
            }
        }
        return true;
    }

    private static String line(Map.Entry<Shape, Totals> entry) {
        Shape shape = entry.getKey();
        long count = entry.getValue().count.sum();
        double totalMs = entry.getValue().nanos.sum() / 1e6;
        return String.format("%9.0f ms %7d x %7.2f ms  %s %s %s %s", totalMs, count, totalMs / count,
                shape.database(), shape.command(), shape.collection(), shape.filter());
    }

    /** Forgets what was counted so far (e.g. between a benchmark's phases). */
    public static void reset() {
        TOTALS.clear();
    }

    /** The {@code limit} shapes that took the most time, one line each, the most first. */
    public static List<String> top(int limit) {
        List<String> lines = new ArrayList<>();
        TOTALS.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<Shape, Totals> entry) -> entry.getValue().nanos.sum())
                        .reversed())
                .limit(limit)
                .forEach(entry -> lines.add(line(entry)));
        return lines;
    }
}
