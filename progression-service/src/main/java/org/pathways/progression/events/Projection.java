package org.pathways.progression.events;

import java.util.Optional;

import org.pathways.messaging.inbox.ReceivedEvent;

/**
 * One read model fed by the partnership's events. Each update must be safe to repeat and independent of the order
 * in which one aggregate's events arrive across topics (the inbox removes most repeats, not a crash mid-way).
 */
public interface Projection {

    /** Applies {@code event}; says what changed, or empty when the event does not concern this projection. */
    Optional<ProjectionChange> apply(ReceivedEvent event);
}
