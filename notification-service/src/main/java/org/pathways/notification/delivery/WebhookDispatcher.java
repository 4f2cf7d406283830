package org.pathways.notification.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.pathways.events.PathwaysEvent;
import org.pathways.notification.config.WebhookProperties;
import org.pathways.notification.subscription.Subscription;
import org.pathways.notification.subscription.Subscriptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Makes the attempts, off the consumer's thread: right away for a new or redelivered delivery, and on a short poll
 * for every delivery whose next attempt is due. Each attempt starts with a lease on the delivery (see
 * {@link DeliveryLog}), so across instances each attempt is made once; an instance that dies mid-attempt leaves a
 * lease that runs out, and another instance tries again (at least once, never lost).
 */
@Component
class WebhookDispatcher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final DeliveryLog deliveries;
    private final Subscriptions subscriptions;
    private final WebhookSender sender;
    private final RetrySchedule schedule;
    private final Clock clock;
    private final Duration lease;
    private final MeterRegistry meters;
    private final String owner = "dispatcher-" + UUID.randomUUID();
    private final Semaphore capacity;
    private final ExecutorService workers =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("webhook-", 0).factory());

    WebhookDispatcher(DeliveryLog deliveries, Subscriptions subscriptions, WebhookSender sender,
                      RetrySchedule schedule, Clock clock, WebhookProperties properties,
                      ObjectProvider<MeterRegistry> meters) {
        this.deliveries = deliveries;
        this.subscriptions = subscriptions;
        this.sender = sender;
        this.schedule = schedule;
        this.clock = clock;
        this.lease = properties.lease();
        this.meters = meters.getIfAvailable(SimpleMeterRegistry::new);
        this.capacity = new Semaphore(properties.concurrency());
    }

    /** Attempts one delivery now if it is due and this instance has room; otherwise the poll will. */
    void dispatchSoon(String deliveryId) {
        if (capacity.tryAcquire()) {
            workers.execute(() -> {
                try {
                    deliveries.claim(deliveryId, owner, clock.instant(), lease).ifPresent(this::attempt);
                } catch (RuntimeException e) {
                    log.warn("Could not attempt delivery {} now: {} (the poll will retry)", deliveryId, e.toString());
                } finally {
                    capacity.release();
                }
            });
        }
    }

    /** Claims due deliveries while there is room, and attempts each on its own virtual thread. */
    @Scheduled(fixedDelayString = "${pathways.webhooks.poll-interval:1s}",
            initialDelayString = "${pathways.webhooks.poll-interval:1s}")
    void dispatchDue() {
        while (capacity.tryAcquire()) {
            Optional<Delivery> claimed;
            try {
                claimed = deliveries.claimDue(owner, clock.instant(), lease);
            } catch (RuntimeException e) {
                capacity.release();
                log.warn("Could not look for due deliveries: {}", e.toString());
                return;
            }
            if (claimed.isEmpty()) {
                capacity.release();
                return;
            }
            Delivery delivery = claimed.get();
            workers.execute(() -> {
                try {
                    attempt(delivery);
                } finally {
                    capacity.release();
                }
            });
        }
    }

    private void attempt(Delivery delivery) {
        try {
            Optional<Subscription> subscription = subscriptions.find(delivery.subscriptionId())
                    .filter(Subscription::isActive);
            if (subscription.isEmpty()) {
                delivery.cancel();
                deliveries.save(delivery, List.of());
                log.info("Cancelled delivery {}: subscription {} is gone or disabled", delivery.id(),
                        delivery.subscriptionId());
                return;
            }
            AttemptOutcome outcome = sender.send(delivery, subscription.get());
            List<PathwaysEvent> events = delivery.record(outcome, schedule, clock.instant(),
                    ThreadLocalRandom.current());
            if (outcome.gone()) {
                subscriptions.disable(delivery.subscriptionId());
            }
            deliveries.save(delivery, events);
            meters.counter("pathways.webhooks.attempts", "outcome", outcomeTag(outcome, delivery)).increment();
            log.info("Delivery {} of event {} to subscription {}: attempt {} answered {} in {} ms, now {}",
                    delivery.id(), delivery.eventId(), delivery.subscriptionId(), delivery.round(),
                    outcome.statusCode() != null ? outcome.statusCode() : outcome.error(), outcome.latencyMs(),
                    delivery.status());
        } catch (OptimisticLockingFailureException e) {
            log.warn("Delivery {} was taken over by another instance while this one attempted it", delivery.id());
        } catch (RuntimeException e) {
            log.warn("Attempt of delivery {} failed: {} (it is retried when its lease runs out)", delivery.id(),
                    e.toString());
        }
    }

    private static String outcomeTag(AttemptOutcome outcome, Delivery delivery) {
        return outcome.acknowledged() ? "delivered" : outcome.gone() ? "gone"
                : delivery.status() == DeliveryStatus.PARKED ? "parked" : "failed";
    }

    @Override
    public void destroy() throws InterruptedException {
        workers.shutdown();
        workers.awaitTermination(5, TimeUnit.SECONDS);
    }
}
