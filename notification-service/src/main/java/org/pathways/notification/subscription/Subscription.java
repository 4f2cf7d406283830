package org.pathways.notification.subscription;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An agency's webhook endpoint and the event types it wants. The secret signs every delivery; it is shown once, when
 * the subscription is created, and kept only to sign with.
 */
@Document("subscriptions")
@CompoundIndex(name = "agency_status", def = "{'agencyId': 1, 'status': 1}")
public class Subscription {

    static final String SECRET_PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    @Id
    private String id;
    private String agencyId;
    private String url;
    private List<String> eventTypes;
    private SubscriptionStatus status;
    private String secret;
    private Instant createdAt;
    private Instant disabledAt;

    protected Subscription() {
    }

    /** A new active subscription with a fresh secret; the url and types are checked by the caller. */
    public static Subscription register(String agencyId, String url, List<String> eventTypes, Instant now) {
        Subscription subscription = new Subscription();
        subscription.id = "sub-" + UUID.randomUUID();
        subscription.agencyId = agencyId;
        subscription.url = url;
        subscription.eventTypes = List.copyOf(eventTypes);
        subscription.status = SubscriptionStatus.ACTIVE;
        subscription.secret = newSecret();
        subscription.createdAt = now;
        return subscription;
    }

    /** {@code whsec_} and 24 random bytes in base64, the Standard Webhooks form. */
    static String newSecret() {
        byte[] key = new byte[24];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    public boolean isActive() {
        return status == SubscriptionStatus.ACTIVE;
    }

    public boolean belongsTo(String agency) {
        return agencyId.equals(agency);
    }

    public String id() { return id; }
    public String agencyId() { return agencyId; }
    public String url() { return url; }
    public List<String> eventTypes() { return List.copyOf(eventTypes); }
    public SubscriptionStatus status() { return status; }
    public String secret() { return secret; }
    public Instant createdAt() { return createdAt; }
    public Instant disabledAt() { return disabledAt; }
}
