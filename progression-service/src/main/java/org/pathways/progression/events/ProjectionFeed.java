package org.pathways.progression.events;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.pathways.messaging.inbox.EventInbox;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.live.LiveUpdates;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.messaging.Message;

/**
 * The one consumer of every topic: each new event (by id, through the inbox) goes to every projection, then live
 * subscribers hear which projections changed. Unknown event types are skipped.
 */
@Configuration
public class ProjectionFeed {

    static final String HANDLER = "partnership-events";

    private final List<Projection> projections;
    private final LiveUpdates live;

    ProjectionFeed(List<Projection> projections, LiveUpdates live) {
        this.projections = projections;
        this.live = live;
    }

    @Bean
    Consumer<Message<byte[]>> partnershipEvents(EventInbox inbox) {
        return inbox.consumer(HANDLER, this::project);
    }

    void project(ReceivedEvent event) {
        if (event.knownType().isEmpty()) {
            return;
        }
        List<ProjectionChange> changes = new ArrayList<>();
        for (Projection projection : projections) {
            projection.apply(event).ifPresent(changes::add);
        }
        live.changed(changes);
    }
}
