package org.pathways.messaging.deadletter;

import java.time.Instant;

/**
 * A dead-lettered record as a platform administrator sees it: where it sits on the dead-letter topic, where it came
 * from, why its consumer gave up, the CloudEvent's envelope, and what was done about it. Never its data: the payload,
 * the subject (an aggregate id that may name a learner) and the stack trace stay on the topic.
 *
 * @param id         {@code <partition>-<offset>} on the service's dead-letter topic, the record's coordinates
 * @param sensitive  {@code consent-withdrawal} or {@code erasure} when the record is a learner's withdrawal of consent
 *                   or erasure that was not applied; null otherwise
 * @param state      {@code OPEN}, {@code REDRIVEN} or {@code DISCARDED}
 * @param resolution who re-drove or discarded it, when, and why; null while open
 */
public record DeadLetter(String id, Instant deadLetteredAt, DeadLetterOrigin origin, DeadLetterFailure failure,
                         DeadLetterEnvelope event, String sensitive, State state, DeadLetterResolution resolution) {

    public enum State { OPEN, REDRIVEN, DISCARDED }

    /** The record's place before it was dead-lettered. */
    public record DeadLetterOrigin(String topic, Integer partition, Long offset, Instant publishedAt) {
    }

    /**
     * Why the consumer gave up: the exception the binder recorded, the innermost cause named in its stack trace,
     * and the message (shortened; the failed message's dump that Spring appends is cut off).
     */
    public record DeadLetterFailure(String exceptionClass, String rootCause, String message) {
    }

    /** The CloudEvent attributes; null when the record was not a readable CloudEvent. */
    public record DeadLetterEnvelope(String id, String type, String source, Instant time) {
    }

    public record DeadLetterResolution(String by, Instant at, String reason) {
    }

    DeadLetter resolved(State newState, DeadLetterResolution how) {
        return new DeadLetter(id, deadLetteredAt, origin, failure, event, sensitive, newState, how);
    }
}
