package org.pathways.notification.subscription;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import org.pathways.platform.idempotency.IdempotencyKeys;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Transient;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An agency's webhook endpoint and the event types it wants. The secret signs every delivery; it is shown once, when
 * the subscription is created (or the secret rotated), and kept only to sign with, sealed under the configured key
 * ({@link SecretKeyRing}): never in plain text in the store.
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
    private SealedSecret secret;
    private Instant createdAt;
    private Instant disabledAt;
    /** The secret before the last rotation, which still signs (alongside the new one) until {@code previousUntil}. */
    private SealedSecret previousSecret;
    private Instant previousUntil;
    private Instant rotatedAt;
    /**
     * The digest of the {@code Idempotency-Key} the last rotation was asked with, if any: the same request again (a
     * second click, a retry) answers that rotation's secret instead of rotating again, which would stop the secret
     * the receiver still checks from signing before its grace is over.
     */
    private String rotationKey;
    /** For a FHIR rest-hook Subscription, what it asked for; null for a webhook subscription. */
    private RestHook restHook;
    /** The secret just made (by registering or rotating), to show once in the answer; never stored. */
    @Transient
    private String issuedSecret;

    protected Subscription() {
    }

    /** A new active subscription with a fresh secret; the url and types are checked by the caller. */
    public static Subscription register(String agencyId, String url, List<String> eventTypes, Instant now,
                                        SecretKeyRing keys) {
        return register(null, agencyId, url, eventTypes, now, keys);
    }

    /**
     * {@link #register}, under the id a request's key gives ({@link #idForRequest}) or a new one when {@code id} is
     * null: the same request sent again then finds the subscription the first made, by its id.
     */
    public static Subscription register(String id, String agencyId, String url, List<String> eventTypes, Instant now,
                                        SecretKeyRing keys) {
        Subscription subscription = new Subscription();
        subscription.id = id == null ? "sub-" + UUID.randomUUID() : id;
        subscription.agencyId = agencyId;
        subscription.url = url;
        subscription.eventTypes = List.copyOf(eventTypes);
        subscription.status = SubscriptionStatus.ACTIVE;
        subscription.issuedSecret = newSecret();
        subscription.secret = keys.seal(subscription.issuedSecret);
        subscription.createdAt = now;
        return subscription;
    }

    /**
     * A new active FHIR rest-hook Subscription: delivered by the same machinery as a webhook (its own secret is
     * made too, though a rest-hook is authenticated by the headers its agency chose, not signed).
     */
    public static Subscription registerRestHook(String agencyId, String url, List<String> eventTypes,
                                                RestHook restHook, Instant now, SecretKeyRing keys) {
        Subscription subscription = register(agencyId, url, eventTypes, now, keys);
        subscription.restHook = restHook;
        return subscription;
    }

    /**
     * The id of the subscription a registration sent with this request key (a digest of the agency and its
     * {@code Idempotency-Key}) makes: a name-based UUID of the digest.
     */
    public static String idForRequest(String requestKey) {
        return IdempotencyKeys.idFor("sub", requestKey);
    }

    /**
     * For the answer to the same registration sent again: its secret shown again, as the first answer showed it,
     * while it is the subscription's secret (never rotated) and the registration is less than {@code window} old.
     */
    public Subscription secretShownAgain(Instant now, java.time.Duration window, SecretKeyRing keys) {
        if (rotatedAt == null && createdAt != null && now.isBefore(createdAt.plus(window))) {
            issuedSecret = keys.open(secret);
        }
        return this;
    }

    /**
     * Whether its last rotation was asked with this request key (a digest): then it shows that rotation's secret, as
     * the first answer did, for {@code window} after the rotation (later, the same key rotates nothing and shows no
     * secret: a late replay is no way to read the live secret).
     */
    public boolean rotatedBy(String requestKey, Instant now, java.time.Duration window, SecretKeyRing keys) {
        if (requestKey == null || !requestKey.equals(rotationKey)) {
            return false;
        }
        if (rotatedAt != null && now.isBefore(rotatedAt.plus(window))) {
            issuedSecret = keys.open(secret);
        }
        return true;
    }

    public String rotationKey() { return rotationKey; }

    /** Whether it was registered for exactly this endpoint and these types (sorted, without repeats). */
    public boolean registeredFor(String url, List<String> eventTypes) {
        return this.url.equals(url) && this.eventTypes.equals(eventTypes);
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

    /** Whether deliveries are still made for it (active, or paused and held). */
    public boolean takesDeliveries() {
        return status != SubscriptionStatus.DISABLED;
    }

    /**
     * Replaces the secret with a fresh one; the old one keeps signing, next to the new, for {@code grace}, so that the
     * agency can switch its receiver over without refusing a delivery. Returns the new secret.
     */
    public String rotateSecret(Instant now, java.time.Duration grace, SecretKeyRing keys) {
        return rotateSecret(now, grace, keys, null);
    }

    /** {@link #rotateSecret(Instant, java.time.Duration, SecretKeyRing)}, remembering the request's key (a digest). */
    public String rotateSecret(Instant now, java.time.Duration grace, SecretKeyRing keys, String requestKey) {
        rotationKey = requestKey;
        previousSecret = secret;
        previousUntil = now.plus(grace);
        issuedSecret = newSecret();
        secret = keys.seal(issuedSecret);
        rotatedAt = now;
        return issuedSecret;
    }

    /**
     * The secrets that sign a delivery made at {@code now}: the current one, and the previous during its grace.
     *
     * @throws IllegalStateException when one is sealed under a key that is not configured
     */
    public List<String> signingSecrets(Instant now, SecretKeyRing keys) {
        if (previousSecret != null && previousUntil != null && now.isBefore(previousUntil)) {
            return List.of(keys.open(secret), keys.open(previousSecret));
        }
        return List.of(keys.open(secret));
    }

    /** Holds deliveries until resumed; a disabled subscription cannot be paused. */
    public void pause() {
        if (status == SubscriptionStatus.DISABLED) {
            throw new IllegalStateException("A disabled subscription cannot be paused");
        }
        status = SubscriptionStatus.PAUSED;
    }

    /** Sends again what was held; a disabled subscription stays disabled (register the endpoint again). */
    public void resume() {
        if (status == SubscriptionStatus.DISABLED) {
            throw new IllegalStateException("A disabled subscription cannot be resumed");
        }
        status = SubscriptionStatus.ACTIVE;
    }

    public boolean belongsTo(String agency) {
        return agencyId.equals(agency);
    }

    public String id() { return id; }
    /** The FHIR rest-hook it is, or null for a webhook subscription. */
    public RestHook restHook() { return restHook; }
    public String agencyId() { return agencyId; }
    public String url() { return url; }
    public List<String> eventTypes() { return List.copyOf(eventTypes); }
    public SubscriptionStatus status() { return status; }
    /** The secret as stored (sealed). */
    public SealedSecret sealedSecret() { return secret; }
    /** The secret just made by registering or rotating, shown once; null for one read from the store. */
    public String issuedSecret() { return issuedSecret; }
    public Instant createdAt() { return createdAt; }
    public Instant disabledAt() { return disabledAt; }
    public Instant rotatedAt() { return rotatedAt; }
    SealedSecret previousSecret() { return previousSecret; }
    Instant previousUntil() { return previousUntil; }
    /** Until when the previous secret still signs, if it does at {@code now}. */
    public Instant previousSecretUntil(Instant now) {
        return previousUntil != null && now.isBefore(previousUntil) ? previousUntil : null;
    }
}
