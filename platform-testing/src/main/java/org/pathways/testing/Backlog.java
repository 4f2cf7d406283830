package org.pathways.testing;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;

import org.awaitility.Awaitility;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * A backlog for a batch consumer, as after an outage or a deploy: events put on its topic while its binding is
 * stopped, so that it finds them all waiting when it starts again and takes them in batches; then a wait, polling
 * the service's inbox, until it has handled them. The binding is stopped rather than paused: a pause takes effect at
 * the consumer's next poll, so a poll under way could still take the first events one by one.
 */
public final class Backlog {

    /** Publishes events; may throw what a producer throws. */
    @FunctionalInterface
    public interface Publishing {
        void run() throws Exception;
    }

    private Backlog() {
    }

    /** Puts what {@code publishing} sends on the topic while {@code binding} is stopped, then starts it again. */
    public static void publish(BindingsLifecycleController bindings, String binding, Publishing publishing) {
        bindings.stop(binding);
        try {
            publishing.run();
        } catch (RuntimeException failure) {
            throw failure;
        } catch (Exception failure) {
            throw new IllegalStateException("Publishing the backlog failed", failure);
        } finally {
            bindings.start(binding);
        }
    }

    /** How many events the inbox handler {@code handler} has finished so far (take it before publishing). */
    public static long processed(MongoTemplate mongo, String handler) {
        return mongo.count(Query.query(Criteria.where("handler").is(handler).and("status").is("DONE")), "inbox");
    }

    /**
     * Waits until each inbox handler of {@code before} (handler name to {@link #processed} before publishing) has
     * finished at least {@code more} events more.
     */
    public static void awaitProcessed(MongoTemplate mongo, Map<String, Long> before, int more, Duration deadline) {
        Awaitility.await().atMost(deadline).until(() -> before.entrySet().stream()
                .allMatch(handler -> processed(mongo, handler.getKey()) >= handler.getValue() + more));
    }

    /** Waits until the inbox handler {@code handler} has finished every event of {@code eventIds}. */
    public static void awaitHandled(MongoTemplate mongo, String handler, Collection<String> eventIds,
                                    Duration deadline) {
        Awaitility.await().atMost(deadline).until(() -> eventIds.stream()
                .allMatch(eventId -> HandledEvents.handled(mongo, handler, eventId)));
    }
}
