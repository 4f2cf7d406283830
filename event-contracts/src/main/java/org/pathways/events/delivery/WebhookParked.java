package org.pathways.events.delivery;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** A webhook delivery failed its last retry and waits for an admin to redeliver it. */
public record WebhookParked(String deliveryId, String eventId, String eventType, String agencyId,
                            String subscriptionId, int attempts, Integer lastStatusCode, Instant parkedAt)
        implements PathwaysEvent {
    @Override
    public String subject() {
        return deliveryId;
    }
}
