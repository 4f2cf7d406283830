package org.pathways.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.notification.subscription.Subscription;
import org.springframework.test.util.ReflectionTestUtils;

class DeliveryTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    private final RetrySchedule schedule = new RetrySchedule(
            List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5)), 0, Duration.ofHours(1));
    private final SplittableRandom random = new SplittableRandom(1);

    private Delivery newDelivery() {
        Subscription subscription = subscription();
        return Delivery.of("evt-1", "org.pathways.referral.submitted.v1", subscription, "{}", schedule, T0);
    }

    private static Subscription subscription() {
        Subscription subscription = Subscription.register("agency-college", "https://hooks.college.example/x",
                List.of("org.pathways.referral.submitted.v1"), T0,
                org.pathways.notification.subscription.LocalKeys.ring());
        ReflectionTestUtils.setField(subscription, "id", "sub-1");
        return subscription;
    }

    @Test
    void isDueAtOnceAndDeliveredOnA2xx() {
        Delivery delivery = newDelivery();
        assertThat(delivery.id()).startsWith("dlv-");
        assertThat(delivery.nextAttemptAt()).isEqualTo(T0);

        List<PathwaysEvent> events = delivery.record(AttemptOutcome.answered(204, 35, null), schedule,
                T0.plusMillis(40), random);

        assertThat(delivery.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(delivery.nextAttemptAt()).isNull();
        assertThat(delivery.attempts()).containsExactly(new Delivery.Attempt(T0.plusMillis(40), 204, null, 35));
        assertThat(events).as("the time to deliver counted from the delivery's creation: its event's time unknown")
                .containsExactly(new WebhookDelivered(delivery.id(), "evt-1", "org.pathways.referral.submitted.v1",
                        "agency-college", "sub-1", 1, 204, T0.plusMillis(40), 40L));
    }

    @Test
    void theTimeToDeliverCountsFromWhenTheEventHappenedAcrossRetries() {
        Delivery delivery = newDelivery().happenedAt(T0.minusMillis(250));
        assertThat(delivery.record(AttemptOutcome.failed("connection-refused", 3), schedule, T0, random)).isEmpty();

        List<PathwaysEvent> events = delivery.record(AttemptOutcome.answered(200, 20, null), schedule,
                T0.plusSeconds(5), random);

        assertThat(events).singleElement().isInstanceOfSatisfying(WebhookDelivered.class, delivered -> {
            assertThat(delivered.attempts()).isEqualTo(2);
            assertThat(delivered.deliveredAfterMs()).isEqualTo(5_250L);
        });
        assertThat(newDelivery().happenedAt(T0.plusSeconds(60)).deliveredAfterMs(T0)).as("a clock ahead: never below 0")
                .isZero();
    }

    @Test
    void retriesOnTheScheduleHonouringRetryAfterThenParksAfterTheLastAttempt() {
        Delivery delivery = newDelivery();

        assertThat(delivery.record(AttemptOutcome.failed("connection-refused", 3), schedule, T0, random)).isEmpty();
        assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(5));

        Instant second = T0.plusSeconds(5);
        assertThat(delivery.record(AttemptOutcome.answered(429, 10, Duration.ofSeconds(90)), schedule, second,
                random)).isEmpty();
        assertThat(delivery.nextAttemptAt()).isEqualTo(second.plusSeconds(90));
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);

        Instant third = second.plusSeconds(90);
        List<PathwaysEvent> events = delivery.record(AttemptOutcome.answered(503, 12, null), schedule, third,
                random);

        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PARKED);
        assertThat(delivery.parkedAt()).isEqualTo(third);
        assertThat(delivery.attempts()).extracting(Delivery.Attempt::statusCode).containsExactly(null, 429, 503);
        assertThat(delivery.attempts().getFirst().error()).isEqualTo("connection-refused");
        assertThat(events).containsExactly(new WebhookParked(delivery.id(), "evt-1",
                "org.pathways.referral.submitted.v1", "agency-college", "sub-1", 3, 503, third));
    }

    @Test
    void a410CancelsItWithoutAnEventAndWithoutRetrying() {
        Delivery delivery = newDelivery();
        assertThat(delivery.record(AttemptOutcome.answered(410, 5, null), schedule, T0, random)).isEmpty();
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(delivery.nextAttemptAt()).isNull();
    }

    @Test
    void aRedeliveryStartsAFreshScheduleAndKeepsTheLog() {
        Delivery delivery = newDelivery();
        for (int i = 0; i < 3; i++) {
            delivery.record(AttemptOutcome.answered(500, 1, null), schedule, T0.plusSeconds(i), random);
        }
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PARKED);

        Instant later = T0.plusSeconds(3600);
        delivery.redeliver(schedule, later);
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(delivery.nextAttemptAt()).isEqualTo(later);
        assertThat(delivery.parkedAt()).isNull();

        List<PathwaysEvent> events = delivery.record(AttemptOutcome.answered(200, 8, null), schedule, later, random);
        assertThat(events).singleElement().isInstanceOfSatisfying(WebhookDelivered.class,
                delivered -> assertThat(delivered.attempts()).isEqualTo(1));
        assertThat(delivery.attempts()).hasSize(4);
    }

    @Test
    void refusesToRecordOnAFinishedDeliveryOrToRedeliverAPendingOne() {
        Delivery delivery = newDelivery();
        assertThatThrownBy(() -> delivery.redeliver(schedule, T0)).isInstanceOf(IllegalStateException.class);
        delivery.record(AttemptOutcome.answered(200, 1, null), schedule, T0, random);
        assertThatThrownBy(() -> delivery.record(AttemptOutcome.answered(200, 1, null), schedule, T0, random))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(delivery::cancel).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keepsABoundedLogOfAttempts() {
        RetrySchedule longSchedule = new RetrySchedule(Collections.nCopies(150, Duration.ZERO), 0,
                Duration.ZERO);
        Delivery delivery = Delivery.of("evt-1", "org.pathways.referral.submitted.v1", subscription(), "{}", longSchedule,
                T0);
        for (int i = 0; i < 150; i++) {
            delivery.record(AttemptOutcome.answered(500, 1, null), longSchedule, T0.plusSeconds(i), random);
        }
        assertThat(delivery.attempts()).hasSize(Delivery.ATTEMPTS_KEPT);
        assertThat(delivery.attempts().getLast().at()).isEqualTo(T0.plusSeconds(149));
    }

    @Test
    void aDeferredDeliveryIsNotAnAttemptAndDoesNotCountTowardsParking() {
        Delivery delivery = newDelivery();
        for (int i = 0; i < 10; i++) {
            delivery.defer(T0.plusSeconds(i + 1));
        }
        assertThat(delivery.attempts()).isEmpty();
        assertThat(delivery.round()).isZero();
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(delivery.nextAttemptAt()).isEqualTo(T0.plusSeconds(10));

        delivery.record(AttemptOutcome.answered(503, 5, null), schedule, T0.plusSeconds(11), random);
        assertThat(delivery.round()).isEqualTo(1);
        assertThat(delivery.status()).isEqualTo(DeliveryStatus.PENDING);
    }
}
