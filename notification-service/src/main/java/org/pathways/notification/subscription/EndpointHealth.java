package org.pathways.notification.subscription;

/** What delivery knows about a subscription's endpoint, for its agency to see. */
public interface EndpointHealth {

    /** The state of the endpoint's circuit breaker: CLOSED, OPEN or HALF_OPEN. */
    String circuit(String subscriptionId);

    /** Forgets what is known about a removed subscription's endpoint. */
    void forget(String subscriptionId);

    /** A paused subscription takes deliveries again: those it held may go now. */
    default void resumed(String subscriptionId) {
    }
}
