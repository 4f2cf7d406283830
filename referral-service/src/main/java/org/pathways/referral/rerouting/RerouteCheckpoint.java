package org.pathways.referral.rerouting;

/**
 * A point between the two writes of a re-route, where a test puts a crash (a process killed after the successor
 * was written and before the original was closed). Production has none: {@link #NONE}.
 */
@FunctionalInterface
public interface RerouteCheckpoint {

    RerouteCheckpoint NONE = (originalId, nextId) -> { };

    /** Called once the successor {@code nextId} is written and before {@code originalId} is closed. */
    void successorWritten(String originalId, String nextId);
}
