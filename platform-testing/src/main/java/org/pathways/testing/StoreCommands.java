package org.pathways.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Counts the commands (round trips) a service sends to its store, by the thread that sent them, so a test can say
 * what consuming a batch of events costs (on the threads of one binding's consumers, or on the test's own thread).
 * Import it into a module's one test context ({@code @Import(StoreCommands.class)}); it only listens.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreCommands implements CommandListener {

    private final Map<String, AtomicLong> byThread = new ConcurrentHashMap<>();
    /** By thread, then by command and collection ("find referral_relationships"). */
    private final Map<String, Map<String, AtomicLong>> byCommand = new ConcurrentHashMap<>();
    /** By thread, then by command and collection, the distinct sets of filter fields sent. */
    private final Map<String, Map<String, Set<Set<String>>>> filters = new ConcurrentHashMap<>();

    @Bean
    MongoClientSettingsBuilderCustomizer countStoreCommands() {
        return settings -> settings.addCommandListener(this);
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String thread = Thread.currentThread().getName();
        byThread.computeIfAbsent(thread, name -> new AtomicLong()).incrementAndGet();
        var target = event.getCommand().get(event.getCommandName());
        String command = event.getCommandName() + (target != null && target.isString()
                ? " " + target.asString().getValue() : "");
        byCommand.computeIfAbsent(thread, name -> new ConcurrentHashMap<>())
                .computeIfAbsent(command, name -> new AtomicLong()).incrementAndGet();
        if (event.getCommand().get("filter") instanceof org.bson.BsonDocument filter) {
            filters.computeIfAbsent(thread, name -> new ConcurrentHashMap<>())
                    .computeIfAbsent(command, name -> ConcurrentHashMap.newKeySet())
                    .add(new java.util.TreeSet<>(filter.keySet()));
        }
    }

    /**
     * The fields of the filters of the {@code command}s ("find referral_relationships") sent so far by the threads
     * whose names pass {@code threads}: each distinct set of a filter's top-level fields once (the embedded store
     * serves a query from an index only when its fields are exactly an index's, so a test can say that a look-up
     * goes by {@code _id}).
     */
    public Set<Set<String>> filterFields(Predicate<String> threads, String command) {
        Set<Set<String>> fields = new java.util.HashSet<>();
        filters.forEach((thread, byCommand) -> {
            if (threads.test(thread)) {
                fields.addAll(byCommand.getOrDefault(command, Set.of()));
            }
        });
        return fields;
    }

    /** The commands sent so far by the threads whose names pass {@code threads}, by command and collection. */
    public Map<String, Long> byCommand(Predicate<String> threads) {
        Map<String, Long> counts = new TreeMap<>();
        byCommand.forEach((thread, commands) -> {
            if (threads.test(thread)) {
                commands.forEach((command, count) -> counts.merge(command, count.get(), Long::sum));
            }
        });
        return counts;
    }

    /** The commands sent so far by the threads whose names pass {@code threads}. */
    public long sentBy(Predicate<String> threads) {
        return byThread.entrySet().stream().filter(entry -> threads.test(entry.getKey()))
                .mapToLong(entry -> entry.getValue().get()).sum();
    }

    /**
     * The commands the calling thread has sent so far to the collections whose names pass {@code collections}: what
     * a test's own call into a service's store code costs.
     */
    public long sentByThisThread(Predicate<String> collections) {
        return byCommand.getOrDefault(Thread.currentThread().getName(), Map.of()).entrySet().stream()
                .filter(command -> {
                    int space = command.getKey().indexOf(' ');
                    return space > 0 && collections.test(command.getKey().substring(space + 1));
                })
                .mapToLong(command -> command.getValue().get()).sum();
    }

    /** Every thread that sent commands, with how many: to find a consumer's threads. */
    public Map<String, Long> byThread() {
        Map<String, Long> copy = new TreeMap<>();
        byThread.forEach((thread, count) -> copy.put(thread, count.get()));
        return copy;
    }
}
