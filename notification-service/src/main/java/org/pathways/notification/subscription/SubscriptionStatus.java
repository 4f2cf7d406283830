package org.pathways.notification.subscription;

public enum SubscriptionStatus {
    ACTIVE,
    /** The endpoint answered 410 Gone: nothing more is sent to it. */
    DISABLED
}
