package org.pathways.testing;

import java.util.Map;
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
 * what consuming a batch of events costs (e.g. on the threads of one binding's consumers). Import it into a module's
 * one test context ({@code @Import(StoreCommands.class)}); it only listens.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreCommands implements CommandListener {

    private final Map<String, AtomicLong> byThread = new ConcurrentHashMap<>();

    @Bean
    MongoClientSettingsBuilderCustomizer countStoreCommands() {
        return settings -> settings.addCommandListener(this);
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        byThread.computeIfAbsent(Thread.currentThread().getName(), thread -> new AtomicLong()).incrementAndGet();
    }

    /** The commands sent so far by the threads whose names pass {@code threads}. */
    public long sentBy(Predicate<String> threads) {
        return byThread.entrySet().stream().filter(entry -> threads.test(entry.getKey()))
                .mapToLong(entry -> entry.getValue().get()).sum();
    }

    /** Every thread that sent commands, with how many: to find a consumer's threads. */
    public Map<String, Long> byThread() {
        Map<String, Long> copy = new TreeMap<>();
        byThread.forEach((thread, count) -> copy.put(thread, count.get()));
        return copy;
    }
}
