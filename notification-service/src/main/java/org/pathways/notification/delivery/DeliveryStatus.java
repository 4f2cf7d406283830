package org.pathways.notification.delivery;

public enum DeliveryStatus {
    /** Waiting for its next attempt. */
    PENDING,
    /** The endpoint acknowledged it with a 2xx. */
    DELIVERED,
    /** Every scheduled attempt failed; it waits for an admin to redeliver it. */
    PARKED,
    /** Its subscription is gone or disabled (410), so it will not be sent. */
    CANCELLED
}
