package org.pathways.notification.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.pathways.messaging.inbox.MalformedEventException;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.notification.fhir.RestHookNotifications;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.subscription.Subscriptions;
import org.pathways.platform.validation.ResourceId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns one event into one delivery per active subscription, of the agencies it concerns, that wants its type. Safe
 * to repeat: a second fan-out of the same event finds each delivery already there.
 */
@Component
public class WebhookFanOut {

    private static final Logger log = LoggerFactory.getLogger(WebhookFanOut.class);

    private final Subscriptions subscriptions;
    private final DeliveryLog deliveries;
    private final WebhookDispatcher dispatcher;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final RestHookNotifications restHooks;

    WebhookFanOut(Subscriptions subscriptions, DeliveryLog deliveries, WebhookDispatcher dispatcher,
                  RetrySchedule schedule, Clock clock, RestHookNotifications restHooks) {
        this.restHooks = restHooks;
        this.subscriptions = subscriptions;
        this.deliveries = deliveries;
        this.dispatcher = dispatcher;
        this.schedule = schedule;
        this.clock = clock;
    }

    /**
     * @param body the event exactly as published (structured CloudEvent JSON): what the agencies' webhooks receive
     *             (a FHIR rest-hook Subscription receives the referral's Task instead)
     * @return how many new deliveries were made
     */
    public int fanOut(ReceivedEvent event, Collection<String> agencies, String body) {
        if (!ResourceId.FORMAT.matcher(event.id()).matches()) {
            throw new MalformedEventException("An event id outside the published id pattern");
        }
        Instant now = clock.instant();
        List<Delivery> opening = new ArrayList<>();
        Map<String, Subscription> to = new HashMap<>();
        WebhookDispatcher.Seen seen = dispatcher.seen();    // before the subscriptions' status is read
        for (Subscription subscription : subscriptions.activeFor(agencies, event.type())) {
            // A FHIR rest-hook gets the referral as a FHIR resource, and only when it matches its criteria.
            String sent = body;
            if (subscription.restHook() != null) {
                var resource = restHooks.bodyFor(event, subscription.restHook());
                if (resource.isEmpty()) {
                    continue;
                }
                sent = resource.get();
            }
            opening.add(Delivery.of(event.id(), event.type(), subscription, sent, schedule, now)
                    .inTrace(event.traceparent()).happenedAt(event.time()));
            to.put(subscription.id(), subscription);
        }
        // One round trip for all of them; a delivery the event already had (a repeated fan-out) is not made again.
        // Those the dispatcher has a slot for now are opened with its lease on them, and attempted without a claim;
        // those to an endpoint that takes nothing now are opened free and put off (first the others: the leases go
        // to the first of the list).
        Set<String> waiting = new HashSet<>();
        to.keySet().forEach(id -> {
            if (!dispatcher.takesHeldNow(id)) {
                waiting.add(id);
            }
        });
        opening.sort(java.util.Comparator.comparing(delivery -> waiting.contains(delivery.subscriptionId())));
        int slots = dispatcher.reserve((int) opening.stream()
                .filter(delivery -> !waiting.contains(delivery.subscriptionId())).count());
        List<Delivery> opened;
        try {
            opened = deliveries.openAll(opening, slots);
        } catch (RuntimeException failed) {
            dispatcher.unreserve(slots);
            throw failed;
        }
        int used = 0;
        for (Delivery delivery : opened) {
            Subscription subscription = to.get(delivery.subscriptionId());
            log.debug("Delivery {} of event {} to subscription {} of agency {}", delivery.id(), event.id(),
                    subscription.id(), subscription.agencyId());
            if (delivery.held()) {
                used++;
                dispatcher.dispatchHeld(delivery, subscription, seen);
            } else if (waiting.contains(delivery.subscriptionId())) {
                dispatcher.putOffOpened(delivery);
            } else {
                dispatcher.dispatchOpened(delivery, subscription, seen);
            }
        }
        dispatcher.unreserve(slots - used);    // the slots of deliveries the event already had
        if (opened.size() < opening.size()) {
            log.debug("Event {} already had {} of its deliveries", event.id(), opening.size() - opened.size());
        }
        return opened.size();
    }
}
