package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pathways.referral.sla.OverdueReferrals;
import org.pathways.testing.MutableClock;
import org.pathways.testing.SharedInfrastructure;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Two instances of the referral-service over one store and one broker, as a scaled-out deployment runs them: when both
 * run the SLA check at the same moment, again and again, each breach of each referral is still raised once (ShedLock
 * lets one instance check at a time; the version-checked write keeps a breach from being raised twice).
 */
class TwoInstancesSlaTest extends ReferralServiceTest {

    private static ConfigurableApplicationContext secondInstance;

    @Autowired
    MutableClock clock;
    @Autowired
    OverdueReferrals overdue;

    @BeforeAll
    static void startSecondInstance() {
        List<String> args = new ArrayList<>(List.of("--server.port=0"));
        SharedInfrastructure.serviceProperties("referrals").forEach((key, value) -> args.add("--" + key + "=" + value));
        secondInstance = new SpringApplicationBuilder(ReferralServiceApplication.class, ReferralServiceTest.Clocks.class)
                .properties("spring.config.name=" + ReferralServiceApplication.NAME)
                .run(args.toArray(String[]::new));
    }

    @AfterAll
    static void stopSecondInstance() {
        if (secondInstance != null) {
            secondInstance.close();
        }
    }

    @AfterEach
    void backToNow() {
        clock.reset();
        secondInstance.getBean(MutableClock.class).reset();
    }

    @Test
    void bothInstancesCheckingAtOnceRaiseEachBreachOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submitted(consentedLearnerAndPublishedCourse(20, 0)).get("id").asString());
        }
        Duration late = Duration.ofDays(12);   // past both the acknowledge and the decide deadlines
        clock.advance(late);
        secondInstance.getBean(MutableClock.class).advance(late);
        OverdueReferrals other = secondInstance.getBean(OverdueReferrals.class);

        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> checks = new ArrayList<>();
                for (OverdueReferrals instance : List.of(overdue, other, overdue, other)) {
                    checks.add(threads.submit(() -> {
                        start.await();
                        instance.raiseOverdue();
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> check : checks) {
                    check.get();
                }
            }
        } finally {
            threads.shutdownNow();
        }

        for (String id : ids) {
            List<JsonNode> raised = eventsSoFar(id, COLLEGE).stream()
                    .filter(e -> e.get("type").asString().equals("org.pathways.referral.overdue.v1")).toList();
            Set<String> breaches = raised.stream().map(e -> e.get("data").get("breach").asString())
                    .collect(Collectors.toSet());
            assertThat(breaches).as("breaches of %s", id).containsExactlyInAnyOrder("ACKNOWLEDGE", "DECIDE");
            assertThat(raised).as("overdue events of %s, across both instances", id).hasSize(2);
        }
    }
}
