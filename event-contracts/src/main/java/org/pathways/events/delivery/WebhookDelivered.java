package org.pathways.events.delivery;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/**
 * An agency's webhook endpoint acknowledged an event (2xx) after {@code attempts} attempts.
 *
 * @param deliveredAfterMs how long the delivery took, in milliseconds: from when the event delivered happened (its
 *                         CloudEvent {@code time}; the delivery's creation when that is not known) to the
 *                         acknowledgement, never below 0. Optional (added compatibly): null from earlier producers.
 */
public record WebhookDelivered(String deliveryId, String eventId, String eventType, String agencyId,
                               String subscriptionId, int attempts, int statusCode, Instant deliveredAt,
                               Long deliveredAfterMs)
        implements PathwaysEvent {

    /** A delivery whose duration is not known (as earlier producers published it). */
    public WebhookDelivered(String deliveryId, String eventId, String eventType, String agencyId,
                            String subscriptionId, int attempts, int statusCode, Instant deliveredAt) {
        this(deliveryId, eventId, eventType, agencyId, subscriptionId, attempts, statusCode, deliveredAt, null);
    }

    @Override
    public String subject() {
        return deliveryId;
    }
}
