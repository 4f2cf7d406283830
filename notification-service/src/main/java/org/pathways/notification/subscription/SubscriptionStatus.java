package org.pathways.notification.subscription;

public enum SubscriptionStatus {
    ACTIVE,
    /** Its agency paused it: deliveries are still made but held until it is resumed. */
    PAUSED,
    /** The endpoint answered 410 Gone: nothing more is sent to it. */
    DISABLED
}
