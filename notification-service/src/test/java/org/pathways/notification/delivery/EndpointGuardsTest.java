package org.pathways.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.pathways.notification.config.WebhookProperties;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * What the dispatcher's search is told about endpoints that take nothing now. A search leaves alone the circuits
 * whose trial is not yet due and announces the first such trial, so that a search is made when it falls due: both
 * answers come from one instant, or a trial falling due between them is neither searched for nor announced, and its
 * deliveries wait for the minute's full search (as a redelivery after an agency's endpoint came back did, about one
 * run in twenty).
 */
class EndpointGuardsTest {

    private static EndpointGuards guards(Duration openFor) {
        WebhookProperties properties = new Binder(new MapConfigurationPropertySource(Map.of(
                "pathways.webhooks.breaker.window", "2",
                "pathways.webhooks.breaker.minimum-calls", "2",
                "pathways.webhooks.breaker.open-for", openFor.toMillis() + "ms")))
                .bindOrCreate("pathways.webhooks", WebhookProperties.class);
        return new EndpointGuards(properties, new StaticListableBeanFactory().getBeanProvider(
                io.micrometer.core.instrument.MeterRegistry.class));
    }

    private static void failTwice(EndpointGuards guards, String subscriptionId) {
        for (int i = 0; i < 2; i++) {
            try (EndpointGuards.Pass pass = guards.tryEnter(subscriptionId)) {
                pass.record(AttemptOutcome.answered(500, 1, null));
            }
        }
    }

    @Test
    void everyCircuitLeftAloneUntilItsTrialHasATrialAnnounced() {
        // Open for long enough that a slow machine's pause between opening them and the first look cannot hide it.
        EndpointGuards guards = guards(Duration.ofMillis(500));
        failTwice(guards, "sub-a");
        failTwice(guards, "sub-b");

        int leftAlone = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        EndpointGuards.Unavailable unavailable;
        do {
            unavailable = guards.unavailable();
            if (!unavailable.subscriptionIds().isEmpty()) {
                leftAlone++;
                assertThat(unavailable.nextTrialIn()).as("a trial announced for %s", unavailable.subscriptionIds())
                        .hasValueSatisfying(wait -> assertThat(wait).isPositive()
                                .isLessThanOrEqualTo(Duration.ofMillis(500)));
            }
        } while (!unavailable.subscriptionIds().isEmpty() && System.nanoTime() < deadline);

        assertThat(leftAlone).as("the circuits were open for a while").isPositive();
        assertThat(unavailable.subscriptionIds()).as("their trials came").isEmpty();
        assertThat(guards.takesAttemptsNow("sub-a")).isTrue();
        assertThat(guards.tryEnter("sub-a")).as("the trial").isNotNull();
        assertThat(guards.takesAttemptsNow("sub-a")).as("on trial").isFalse();
    }

    @Test
    void aTrialNotMadeHandsItsPermissionBackAndSaysTheEndpointMayBeTriedAgain() throws Exception {
        EndpointGuards guards = guards(Duration.ofMillis(20));
        java.util.List<String> available = new java.util.concurrent.CopyOnWriteArrayList<>();
        guards.whenAvailable(available::add);
        failTwice(guards, "sub-a");
        Thread.sleep(40);

        try (EndpointGuards.Pass trial = guards.tryEnter("sub-a")) {
            assertThat(trial).as("the trial's permission").isNotNull();
            assertThat(guards.tryEnter("sub-a")).as("one trial at a time").isNull();
            // The attempt is not made (it failed before an answer): nothing is recorded.
        }

        // Still on trial, so no attempt ends it: the deliveries put off for it are told they may go, and one is the
        // trial.
        assertThat(available).containsExactly("sub-a");
        try (EndpointGuards.Pass again = guards.tryEnter("sub-a")) {
            assertThat(again).as("the permission handed back").isNotNull();
            again.record(AttemptOutcome.answered(200, 1, null));
        }
        assertThat(available).as("the circuit closed").containsExactly("sub-a", "sub-a");
        assertThat(guards.takesAttemptsNow("sub-a")).isTrue();
    }

    @Test
    void anOpenCircuitIsLeftAloneAndItsTrialAnnounced() {
        EndpointGuards guards = guards(Duration.ofMinutes(10));
        failTwice(guards, "sub-a");

        EndpointGuards.Unavailable unavailable = guards.unavailable();

        assertThat(unavailable.subscriptionIds()).containsExactly("sub-a");
        assertThat(unavailable.nextTrialIn()).hasValueSatisfying(wait -> assertThat(wait)
                .isGreaterThan(Duration.ofMinutes(9)).isLessThanOrEqualTo(Duration.ofMinutes(10)));
        assertThat(guards.tryEnter("sub-a")).as("refused until the trial").isNull();
    }
}
