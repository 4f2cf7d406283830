package org.pathways.progression.events;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

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

    /**
     * Before a batch of events is applied to {@code generation}: reads ahead the facts they will need, one round trip
     * per collection ({@code ids}: every value of the events' top-level id fields, by field name, such as
     * {@code referralId}). Only a hint: what was not read ahead is read when needed.
     */
    default void readAhead(Map<String, Set<String>> ids, Generation generation) {
    }
}
