package org.pathways.notification.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.notification.subscription.Subscription;
import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.index.CompoundIndex;
import org.springframework.data.mongodb.core.index.CompoundIndexes;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One event on its way to one subscription's endpoint, with the log of every attempt. Saved only through the outbox,
 * together with the WebhookDelivered or WebhookParked event its outcome causes.
 *
 * <p>{@code body} is the CloudEvent exactly as it was published, the bytes that are signed and sent. The unique
 * (eventId, subscriptionId) key makes a redelivered event find its delivery already there instead of making another.
 * {@code leaseUntil}/{@code leaseOwner} mark the instance attempting it right now, so each attempt is made once
 * across instances; recording the attempt releases the lease.
 */
@Document("deliveries")
@CompoundIndexes({
        @CompoundIndex(name = "one_per_event_and_subscription", def = "{'eventId': 1, 'subscriptionId': 1}",
                unique = true),
        @CompoundIndex(name = "due", def = "{'status': 1, 'nextAttemptAt': 1}"),
        @CompoundIndex(name = "agency_log", def = "{'agencyId': 1, 'status': 1, 'createdAt': -1}"),
        @CompoundIndex(name = "retention", def = "{'createdAt': 1}")
})
public class Delivery {

    /** Enough to see what happened across several redeliveries without letting a document grow for ever. */
    static final int ATTEMPTS_KEPT = 100;

    @Id
    private String id;
    @Version
    private Long version;
    private String eventId;
    private String eventType;
    private String agencyId;
    private String subscriptionId;
    private String body;
    private DeliveryStatus status;
    /** Attempts made in the current round: since creation, or since the last redelivery. */
    private int round;
    private Instant nextAttemptAt;
    private Instant leaseUntil;
    private String leaseOwner;
    private Instant createdAt;
    /** When the delivered event happened (its CloudEvent time): where the time to deliver is counted from. */
    private Instant occurredAt;
    private Instant deliveredAt;
    private Instant parkedAt;
    /**
     * When the event was withheld from the agency (its grounds to hear of the learner ended): the body is gone and it
     * is never sent again.
     */
    private Instant withheldAt;
    private List<Attempt> attempts = new ArrayList<>();
    /** The W3C trace context of the event that caused it: each attempt is a span of that trace. */
    private String traceparent;
    /**
     * How many outcome events (delivered, parked) this delivery has put into its outbox over its life, as stored with
     * them; null for one kept before they were counted. At most that many can still wait there unpublished, so a save
     * that adds one knows there is room without reading the outbox ({@link DeliveryLog#save}).
     */
    private Integer outcomesReported;

    /** One attempt as logged: when, what the endpoint answered (or the error), and how long it took. */
    public record Attempt(Instant at, Integer statusCode, String error, long latencyMs) {
    }

    protected Delivery() {
    }

    /** This delivery, as part of the trace of {@code traceparent} (the event's). */
    Delivery inTrace(String traceparent) {
        this.traceparent = traceparent;
        return this;
    }

    String traceparent() {
        return traceparent;
    }

    /** This delivery, of an event that happened at {@code occurredAt} (null: not known; counted from creation). */
    Delivery happenedAt(Instant occurredAt) {
        this.occurredAt = occurredAt;
        return this;
    }

    /**
     * How long the delivery took until {@code now}, in milliseconds: from when its event happened (from the delivery's
     * creation when that is not known, as for deliveries made before it was kept), never below 0.
     */
    long deliveredAfterMs(Instant now) {
        Instant from = occurredAt != null ? occurredAt : createdAt;
        return from == null ? 0 : Math.max(0, java.time.Duration.between(from, now).toMillis());
    }

    static Delivery of(String eventId, String eventType, Subscription subscription, String body,
                       RetrySchedule schedule, Instant now) {
        Delivery delivery = new Delivery();
        delivery.id = "dlv-" + UUID.randomUUID();
        delivery.eventId = eventId;
        delivery.eventType = eventType;
        delivery.agencyId = subscription.agencyId();
        delivery.subscriptionId = subscription.id();
        delivery.body = body;
        delivery.status = DeliveryStatus.PENDING;
        delivery.nextAttemptAt = now.plus(schedule.first());
        delivery.createdAt = now;
        delivery.outcomesReported = 0;
        return delivery;
    }

    /**
     * Logs an attempt and decides what comes next: delivered, cancelled (410), another attempt, or parked after the
     * last one. Returns the events the outcome causes.
     */
    List<PathwaysEvent> record(AttemptOutcome outcome, RetrySchedule schedule, Instant now, RandomGenerator random) {
        requirePending();
        attempts.add(new Attempt(now, outcome.statusCode(), outcome.error(), outcome.latencyMs()));
        if (attempts.size() > ATTEMPTS_KEPT) {
            attempts.subList(0, attempts.size() - ATTEMPTS_KEPT).clear();
        }
        round++;
        leaseUntil = null;
        leaseOwner = null;
        if (outcome.acknowledged()) {
            status = DeliveryStatus.DELIVERED;
            deliveredAt = now;
            nextAttemptAt = null;
            reported();
            return List.of(new WebhookDelivered(id, eventId, eventType, agencyId, subscriptionId, round,
                    outcome.statusCode(), now, deliveredAfterMs(now)));
        }
        if (outcome.gone()) {
            status = DeliveryStatus.CANCELLED;
            nextAttemptAt = null;
            return List.of();
        }
        if (round >= schedule.attempts()) {
            status = DeliveryStatus.PARKED;
            parkedAt = now;
            nextAttemptAt = null;
            reported();
            return List.of(new WebhookParked(id, eventId, eventType, agencyId, subscriptionId, round,
                    outcome.statusCode(), now));
        }
        nextAttemptAt = now.plus(schedule.before(round + 1, outcome.retryAfter(), random));
        return List.of();
    }

    /** Opened already held by a dispatcher (its lease written with it: no claim needed for the first attempt). */
    void heldBy(String owner, Instant until) {
        requirePending();
        leaseOwner = owner;
        leaseUntil = until;
    }

    /** Whether it was opened held by a dispatcher ({@link #heldBy}) and not given back since. */
    boolean held() {
        return leaseOwner != null;
    }

    private void reported() {
        if (outcomesReported != null) {
            outcomesReported++;
        }
    }

    /**
     * Puts the next attempt off without making one, because the endpoint's circuit is open, its bulkhead full or its
     * subscription paused. Not an attempt: it does not count towards parking.
     */
    void defer(Instant until) {
        requirePending();
        nextAttemptAt = until;
        leaseUntil = null;
        leaseOwner = null;
    }

    /** Gives up without an attempt: the subscription was removed or disabled meanwhile. */
    void cancel() {
        requirePending();
        status = DeliveryStatus.CANCELLED;
        nextAttemptAt = null;
        leaseUntil = null;
        leaseOwner = null;
    }

    /** Sends it again from the start of the schedule, keeping the log of earlier attempts. */
    void redeliver(RetrySchedule schedule, Instant now) {
        if (status == DeliveryStatus.PENDING) {
            throw new IllegalStateException("Delivery " + id + " is already pending");
        }
        status = DeliveryStatus.PENDING;
        round = 0;
        nextAttemptAt = now.plus(schedule.first());
        deliveredAt = null;
        parkedAt = null;
    }

    private void requirePending() {
        if (status != DeliveryStatus.PENDING) {
            throw new IllegalStateException("Delivery " + id + " is " + status + ", not pending");
        }
    }

    public String id() { return id; }
    /** Outcome events put into its outbox so far, this save's included; null when not counted (kept before). */
    Integer outcomesReported() { return outcomesReported; }
    public Long version() { return version; }
    public String eventId() { return eventId; }
    public String eventType() { return eventType; }
    public String agencyId() { return agencyId; }
    public String subscriptionId() { return subscriptionId; }
    public String body() { return body; }
    public DeliveryStatus status() { return status; }
    public int round() { return round; }
    public Instant nextAttemptAt() { return nextAttemptAt; }
    Instant leaseUntil() { return leaseUntil; }
    public Instant createdAt() { return createdAt; }
    public Instant deliveredAt() { return deliveredAt; }
    public Instant parkedAt() { return parkedAt; }
    public Instant withheldAt() { return withheldAt; }
    public List<Attempt> attempts() { return List.copyOf(attempts); }
}
