package org.pathways.notification.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The delivery log of an agency's own webhooks, and redelivery of what did not arrive. */
@RestController
@RequestMapping("/api/deliveries")
class DeliveryController {

    private static final Logger log = LoggerFactory.getLogger(DeliveryController.class);
    private static final int PAGE = 100;
    private static final int BULK = 1000;

    private final DeliveryLog deliveries;
    private final Subscriptions subscriptions;
    private final WebhookDispatcher dispatcher;
    private final RetrySchedule schedule;
    private final Clock clock;

    DeliveryController(DeliveryLog deliveries, Subscriptions subscriptions, WebhookDispatcher dispatcher,
                       RetrySchedule schedule, Clock clock) {
        this.deliveries = deliveries;
        this.subscriptions = subscriptions;
        this.dispatcher = dispatcher;
        this.schedule = schedule;
        this.clock = clock;
    }

    /** A delivery and its attempts, without the body (the event, which the agency's endpoint has or will get). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DeliveryView(String id, String eventId, String eventType, String subscriptionId, DeliveryStatus status,
                        Instant createdAt, Instant nextAttemptAt, Instant deliveredAt, Instant parkedAt,
                        Instant withheldAt, List<Delivery.Attempt> attempts) {

        static DeliveryView of(Delivery d) {
            return new DeliveryView(d.id(), d.eventId(), d.eventType(), d.subscriptionId(), d.status(),
                    d.createdAt(), d.nextAttemptAt(), d.deliveredAt(), d.parkedAt(), d.withheldAt(), d.attempts());
        }
    }

    /** The agency's latest deliveries (at most 100), newest first; {@code ?status=PARKED} for what needs action. */
    @GetMapping
    List<DeliveryView> list(Caller caller, @RequestParam(required = false) DeliveryStatus status) {
        requireAdmin(caller);
        return deliveries.ofAgency(caller.agencyId(), status, PAGE).stream().map(DeliveryView::of).toList();
    }

    @GetMapping("/{id}")
    DeliveryView get(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        return DeliveryView.of(ownDelivery(caller, id));
    }

    /** Sends a delivery again with a fresh schedule, e.g. a parked one once the endpoint is back. */
    @PostMapping("/{id}/redeliver")
    @ResponseStatus(HttpStatus.ACCEPTED)
    DeliveryView redeliver(Caller caller, @PathVariable @ResourceId String id) {
        requireAdmin(caller);
        Delivery delivery = ownDelivery(caller, id);
        if (delivery.withheldAt() != null) {
            throw ProblemException.conflict("delivery-withheld", "This event is no longer shared with your agency: "
                    + "the learner's consent it was sent on ended. It is not sent again.", Map.of());
        }
        if (delivery.status() == DeliveryStatus.PENDING) {
            throw ProblemException.conflict("delivery-pending", "This delivery is already on its way.",
                    Map.of());
        }
        if (subscriptions.find(delivery.subscriptionId()).filter(Subscription::takesDeliveries).isEmpty()) {
            throw ProblemException.conflict("subscription-inactive",
                    "The subscription of this delivery was removed or disabled: register the endpoint again.",
                    Map.of());
        }
        delivery.redeliver(schedule, clock.instant());
        deliveries.save(delivery, List.of());
        log.info("Agency {} asked for delivery {} again", caller.agencyId(), delivery.id());
        dispatcher.dispatchSoon(delivery.id());
        return DeliveryView.of(delivery);
    }

    record Redelivered(int redelivered) {
    }

    /**
     * Sends all the agency's parked deliveries again (at most {@value #BULK} at a time), or only those of one
     * subscription; those whose subscription was removed or disabled are left parked.
     */
    @PostMapping("/redeliver-parked")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Redelivered redeliverParked(Caller caller,
                                @RequestParam(required = false) @ResourceId String subscriptionId) {
        requireAdmin(caller);
        int redelivered = 0;
        for (Delivery delivery : deliveries.ofAgency(caller.agencyId(), DeliveryStatus.PARKED, BULK)) {
            if (delivery.withheldAt() != null
                    || (subscriptionId != null && !subscriptionId.equals(delivery.subscriptionId()))) {
                continue;
            }
            if (subscriptions.find(delivery.subscriptionId()).filter(Subscription::takesDeliveries).isEmpty()) {
                continue;
            }
            try {
                delivery.redeliver(schedule, clock.instant());
                deliveries.save(delivery, List.of());
            } catch (OptimisticLockingFailureException | IllegalStateException changedMeanwhile) {
                continue;
            }
            dispatcher.dispatchSoon(delivery.id());
            redelivered++;
        }
        log.info("Agency {} asked for {} parked deliveries again", caller.agencyId(), redelivered);
        return new Redelivered(redelivered);
    }

    private Delivery ownDelivery(Caller caller, String id) {
        return deliveries.find(caller.agencyId(), id)
                .orElseThrow(() -> ProblemException.notFound("delivery", id));
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.has(Role.AGENCY_ADMIN)) {
            throw ProblemException.forbidden("Only an agency admin sees and redelivers the agency's webhooks.");
        }
    }
}
