package org.pathways.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.messaging.inbox.EventInbox;
import org.pathways.testing.Backlog;
import org.pathways.testing.HttpApi;
import org.pathways.testing.StoreCommands;
import org.pathways.testing.TestTokens;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binding.BindingsLifecycleController;

/**
 * The catalogue's opportunity events under a backlog (issue 14, consumption throughput): a burst of referrals comes
 * back from the catalogue as one places event each. Consumed in batches, they cost a fraction of the round trips they
 * cost one at a time, and what a worker sees is the same: the last places event of each course counts.
 */
class OpportunityEventsBatchTest extends ReferralServiceTest {

    private static final String BINDING = "opportunityEvents-in-0";
    private static final String HANDLER = "opportunity-events";

    @Autowired
    BindingsLifecycleController bindings;
    @Autowired
    StoreCommands commands;
    @Autowired
    EventInbox inbox;

    @Test
    void aBacklogOfPlacesEventsIsConsumedInBatchesAndTheLastOfEachCourseCounts() {
        String college = "agency-college-" + UUID.randomUUID().toString().substring(0, 8);
        int courses = 30;
        List<String> full = new ArrayList<>();
        List<String> free = new ArrayList<>();
        List<PathwaysEvent> backlog = new ArrayList<>();
        Instant at = Instant.now().minusSeconds(60);
        for (int i = 0; i < courses; i++) {
            String course = "opp-" + UUID.randomUUID();
            backlog.add(new OpportunityPublished(course, college, OpportunityKind.FORMAL_LEARNING, "E2", 2, 0, at));
            backlog.add(places(course, college, 1, "PUBLISHED", at.plusSeconds(1)));
            backlog.add(places(course, college, 2, "FULL", at.plusSeconds(2)));
            if (i % 2 == 0) {
                full.add(course);
            } else {
                // A place released again: the last event says one is free.
                backlog.add(places(course, college, 1, "PUBLISHED", at.plusSeconds(3)));
                free.add(course);
            }
        }
        long before = inbox.processedCount(HANDLER);
        Backlog.publish(bindings, BINDING, () -> backlog.forEach(events::publish));
        long sent = commands.sentBy(OpportunityEventsBatchTest::consumerThread);
        Map<String, Long> sentByCommand = commands.byCommand(OpportunityEventsBatchTest::consumerThread);
        Backlog.awaitProcessed(store, Map.of(HANDLER, before), backlog.size(), DEADLINE.multipliedBy(3));
        long roundTrips = commands.sentBy(OpportunityEventsBatchTest::consumerThread) - sent;
        assertThat(roundTrips).as("counted on the opportunity consumer's threads").isPositive();
        double perEvent = roundTrips / (double) backlog.size();
        Map<String, Long> byCommand = new TreeMap<>(commands.byCommand(OpportunityEventsBatchTest::consumerThread));
        sentByCommand.forEach((command, count) -> byCommand.merge(command, -count, Long::sum));
        System.out.printf("Opportunity events: %d consumed with %d store round trips, %.2f per event %s%n",
                backlog.size(), roundTrips, perEvent, byCommand);
        // One at a time, each event cost the inbox's read and mark, the erased-learner check and the view's upsert
        // (about 3 per event); in batches, a few round trips per batch: the views' changes merged per course into
        // one bulk upsert (1.06 per event while each event still upserted its view).
        assertThat(perEvent).isLessThan(0.5);

        // What a worker sees: a full course is a warning on the referral, a course with a place free is not.
        assertThat(warnings(full.getFirst(), college)).anySatisfy(warning -> assertThat(warning).startsWith("opportunity-full"));
        assertThat(warnings(free.getFirst(), college)).noneSatisfy(warning ->
                assertThat(warning).startsWith("opportunity-full"));
    }

    private static OpportunityPlacesChanged places(String course, String college, int taken, String status,
                                                   Instant at) {
        return new OpportunityPlacesChanged(course, college, 2, taken, false, status, "ref-" + UUID.randomUUID(), at);
    }

    /** The warnings of a referral to {@code course}, for a learner consented to its provider. */
    private List<String> warnings(String course, String provider) {
        Scenario s = new Scenario("lrn-" + UUID.randomUUID(), course, "cns-" + UUID.randomUUID(), provider);
        registered(s.learnerId(), COUNCIL);
        grantConsent(s.learnerId(), s.consentId(), provider);
        HttpApi.Response response = submitWhenKnown(s, TestTokens.worker(COUNCIL));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        List<String> warnings = new ArrayList<>();
        response.body().path("warnings").forEach(warning -> warnings.add(warning.asString()));
        return warnings;
    }

    private static boolean consumerThread(String thread) {
        return thread.contains("pathways.opportunities");
    }
}
