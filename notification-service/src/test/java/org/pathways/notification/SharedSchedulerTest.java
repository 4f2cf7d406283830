package org.pathways.notification;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;

import org.junit.jupiter.api.Test;
import org.pathways.messaging.outbox.OutboxEntry;
import org.pathways.testing.WebhookReceiver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.TaskScheduler;

/**
 * Webhooks do not wait on the service's other periodic tasks. A task of the test's holds a thread of the service's
 * scheduler, as a slow SMTP server or dead-letter read once held the one thread all fixed-delay tasks shared (e-mail
 * sending, the dead-letter count, the outbox sweep): an endpoint whose circuit opened still gets its trial once its
 * time is up, and the delivery put off meanwhile arrives. When the dispatcher's poll ran on that shared thread, nothing
 * started the trial until it was free. (Each periodic task now has a thread of its own: {@code PeriodicTasksTest}.)
 */
class SharedSchedulerTest extends NotificationServiceTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Autowired
    TaskScheduler scheduler;

    @Test
    void anOpenCircuitsTrialIsNotHeldUpByAnotherPeriodicTask() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (WebhookReceiver college = new WebhookReceiver(); ReferralEvents events = new ReferralEvents()) {
            college.otherwiseAnswer(500);
            subscribe("agency-college", college.url(), SUBMITTED);
            OutboxEntry failing = ReferralEvents.submitted("agency-council", "agency-college");
            events.publish(failing);
            // Its four attempts (the tests' schedule: at once, then after 200, 400 and 800 ms) fail and open the
            // endpoint's circuit for a second.
            await().atMost(PATIENCE).until(() -> deliveriesOf("agency-college", failing.eventId()).stream()
                    .anyMatch(delivery -> delivery.get("status").asString().equals("PARKED")));
            ScheduledFuture<?> holding = scheduler.scheduleWithFixedDelay(() -> {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, Duration.ofHours(1));
            try {
                college.otherwiseAnswer(200);
                OutboxEntry next = ReferralEvents.submitted("agency-council", "agency-college");
                events.publish(next);
                // Put off while the circuit is open; its trial is due a second after the circuit opened.
                await().atMost(Duration.ofSeconds(15)).until(() -> college.processed().contains(next.eventId()));
            } finally {
                released.countDown();
                holding.cancel(false);
            }
        }
    }
}
