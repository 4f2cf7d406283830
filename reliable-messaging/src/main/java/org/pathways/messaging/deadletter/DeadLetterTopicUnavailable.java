package org.pathways.messaging.deadletter;

/** The broker did not answer in time: the dead letters cannot be read or re-driven now (503). */
public class DeadLetterTopicUnavailable extends RuntimeException {

    public DeadLetterTopicUnavailable(String message) {
        super(message);
    }
}
