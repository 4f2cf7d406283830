package org.pathways.notification;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Counts the commands (round trips) each thread sends to the store, and notes which threads consume for an inbox
 * handler (they read or mark its inbox entries, {@code <handler>:<event id>}), so a test can say what consuming one
 * event costs on the consumer's own threads. It only listens.
 */
@TestConfiguration(proxyBeanMethods = false)
public class StoreRoundTrips implements CommandListener {

    private final Map<String, AtomicLong> byThread = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> handlerThreads = new ConcurrentHashMap<>();

    @Bean
    MongoClientSettingsBuilderCustomizer countRoundTrips() {
        return settings -> settings.addCommandListener(this);
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String thread = Thread.currentThread().getName();
        byThread.computeIfAbsent(thread, t -> new AtomicLong()).incrementAndGet();
        var target = event.getCommand().get(event.getCommandName());
        // A consumer marks its events done (an update); a test only reads the inbox.
        if (target != null && target.isString() && "inbox".equals(target.asString().getValue())
                && "update".equals(event.getCommandName())) {
            String command = event.getCommand().toJson();
            for (String handler : handlerThreads.keySet()) {
                if (command.contains("\"" + handler + ":")) {
                    handlerThreads.get(handler).add(thread);
                }
            }
        }
    }

    /** Starts counting afresh, noting the threads that consume for {@code handler}. */
    public void reset(String handler) {
        byThread.clear();
        handlerThreads.put(handler, ConcurrentHashMap.newKeySet());
    }

    /** The commands sent since {@link #reset} by the threads that consumed for {@code handler}. */
    public long ofHandler(String handler) {
        return handlerThreads.getOrDefault(handler, Set.of()).stream()
                .mapToLong(thread -> byThread.getOrDefault(thread, new AtomicLong()).get()).sum();
    }
}
