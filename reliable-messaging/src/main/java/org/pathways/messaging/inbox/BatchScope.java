package org.pathways.messaging.inbox;

import java.util.List;

/**
 * What a batch handler does around the events of one batch, so that it can merge their store round trips: read
 * ahead what the events need ({@link #begin}: one {@code $in} by {@code _id} instead of one read per event) and
 * write what it held back ({@link #complete}: one bulk write instead of one write per event). The handler itself
 * still takes one event at a time, in order, so the same handler serves record and batch consumers alike.
 *
 * <p>{@link #complete} runs before the inbox marks the batch's events done; if it throws, no event of the batch is
 * marked and the whole batch is received again, so a held-back write is never lost. {@link #close} always runs last,
 * on the same thread (a scope may keep its state in a thread-local), once {@link #readAhead} has run, whether or not
 * {@link #begin} did.
 */
public interface BatchScope {

    /** Reads nothing ahead and holds nothing back. */
    BatchScope NONE = new BatchScope() {
    };

    /**
     * Before the inbox's own reads of the batch, on the consumer's thread: a read of what {@link #begin} would read
     * ahead for {@code events} (every event of the batch the handler takes, a repeat of one already done too), which
     * the inbox makes at once with its own reads, on another thread; so it may only fill what it captured here (a
     * thread-local's value taken now), never read a thread-local itself. The scope is closed whatever comes after.
     * Nothing by default: {@link #begin} reads what it needs.
     */
    default Runnable readAhead(List<ReceivedEvent> events) {
        return RoundTrips.NONE;
    }

    /** Before the first of {@code events} (the batch's new ones, in order) is handled. */
    default void begin(List<ReceivedEvent> events) {
    }

    /**
     * After the last event was handled (or dead-lettered), and before an erasure in the batch: writes what was held
     * back. What a failed call did not write must stay held: the inbox may call it again (after a failure before an
     * erasure, at the batch's end) and then marks the events handled so far done.
     */
    default void complete() {
    }

    /** After {@link #complete} or a failure: forgets the batch. */
    default void close() {
    }
}
