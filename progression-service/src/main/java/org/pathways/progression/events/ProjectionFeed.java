package org.pathways.progression.events;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The one consumer of every topic: each new event (by id, through the inbox) goes to every projection of the live
 * generation (and of the generation a rebuild is catching up, once each), then live subscribers hear which
 * projections changed. Unknown event types are skipped.
 */
@Configuration
public class ProjectionFeed {

    static final String HANDLER = "partnership-events";

    private final List<Projection> projections;
    private final List<ProjectionListener> listeners;
    private final Generations generations;

    ProjectionFeed(List<Projection> projections, List<ProjectionListener> listeners, Generations generations) {
        this.projections = projections;
        this.listeners = listeners;
        this.generations = generations;
    }

    @Bean
    Consumer<Message<byte[]>> partnershipEvents(EventInbox inbox) {
        return inbox.consumer(HANDLER, this::project);
    }

    void project(ReceivedEvent event) {
        if (event.knownType().isEmpty()) {
            return;
        }
        List<ProjectionChange> changes = apply(event, generations.active());
        listeners.forEach(listener -> listener.changed(changes));
        generations.catchingUp().ifPresent(rebuilt -> {
            if (generations.firstSight(rebuilt, event.id())) {
                apply(event, rebuilt);
            }
        });
    }

    /** Applies one event to every projection of {@code generation}; says what changed. */
    public List<ProjectionChange> apply(ReceivedEvent event, Generation generation) {
        List<ProjectionChange> changes = new ArrayList<>();
        if (event.knownType().isEmpty()) {
            return changes;
        }
        for (Projection projection : projections) {
            projection.apply(event, generation).ifPresent(changes::add);
        }
        return changes;
    }
}
