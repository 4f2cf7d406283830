package org.pathways.events.delivery;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** An agency's webhook endpoint acknowledged an event (2xx) after {@code attempts} attempts. */
public record WebhookDelivered(String deliveryId, String eventId, String eventType, String agencyId,
                               String subscriptionId, int attempts, int statusCode, Instant deliveredAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return deliveryId;
    }
}
