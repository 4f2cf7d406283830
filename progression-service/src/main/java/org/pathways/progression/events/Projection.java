package org.pathways.progression.events;

import java.util.Optional;

import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.tally.Generation;

/**
 * One read model fed by the partnership's events. Each update must be safe to repeat and independent of the order
 * in which events arrive (a rebuild's replay and the live consumer may both apply one), see
 * {@link org.pathways.progression.tally.FactStore}.
 */
public interface Projection {

    /** Applies {@code event} to {@code generation}; says what changed, or empty when it does not concern this one. */
    Optional<ProjectionChange> apply(ReceivedEvent event, Generation generation);
}
