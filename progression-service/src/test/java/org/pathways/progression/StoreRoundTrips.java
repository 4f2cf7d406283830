package org.pathways.progression;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Counts the commands (round trips) each thread sends to the store for the projections' collections
 * ({@code p<generation>.<name>}), so a test can say what applying one event costs. It only listens.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreRoundTrips implements CommandListener {

    private final Map<String, AtomicLong> byThread = new ConcurrentHashMap<>();

    @Bean
    MongoClientSettingsBuilderCustomizer countRoundTrips() {
        return settings -> settings.addCommandListener(this);
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        var target = event.getCommand().get(event.getCommandName());
        if (target != null && target.isString() && target.asString().getValue().matches("p\\d+\\..*")) {
            byThread.computeIfAbsent(Thread.currentThread().getName(), t -> new AtomicLong()).incrementAndGet();
        }
    }

    /** The projection commands the calling thread has sent so far. */
    public long ofThisThread() {
        AtomicLong count = byThread.get(Thread.currentThread().getName());
        return count == null ? 0 : count.get();
    }
}
