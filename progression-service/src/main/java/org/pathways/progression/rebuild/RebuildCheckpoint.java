package org.pathways.progression.rebuild;

import org.pathways.progression.tally.Generation;

/**
 * The points of a rebuild where a test stops its holder as a killed process would stop it (nothing after them runs:
 * no failure handled, no claim given back), and where it makes the store slow or a projection fail. Production has
 * none: {@link #NONE}.
 */
@FunctionalInterface
interface RebuildCheckpoint {

    RebuildCheckpoint NONE = (state, generation) -> { };

    /**
     * Called as the rebuild into {@code generation} enters {@code state}: {@code REPLAYING} once it has begun to read
     * the topics, {@code CATCHING_UP} once the live consumer feeds its generation too.
     */
    void reached(ProjectionRebuild.State state, Generation generation);

    /** Called on the rebuild's thread as it is about to apply one replayed event to {@code generation}. */
    default void applying(Generation generation) {
    }
}
