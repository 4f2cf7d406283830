package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pathways.messaging.inbox.AppliedEvents;
import org.pathways.progression.flows.PartnershipFlows;
import org.pathways.progression.tally.FactStore;
import org.pathways.progression.tally.Generation;
import org.pathways.progression.tally.Generations;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;
import org.springframework.data.mongodb.core.MongoTemplate;

/**
 * The partnership's counts (events by type and day, flows between agencies) are {@code $inc} writes that record the
 * events they counted on the counter document itself, so that a batch delivered again after a crash between its
 * writes and the inbox's done-marks counts nothing twice. That holds only while the document keeps at least the
 * batch's ids and another instance's batch counted in between: this reads the batch size the consumer is configured
 * with and counts at that scale.
 */
class CountedOnceAfterACrashTest extends ProgressionServiceTest {

    private static final String MAX_POLL_RECORDS = "spring.cloud.stream.kafka.bindings.partnershipEvents-in-0"
            + ".consumer.configuration.max.poll.records";

    @Autowired
    FactStore facts;
    @Autowired
    Generations generations;
    @Autowired
    MongoTemplate mongo;
    @Autowired
    Environment environment;

    private final Generation generation = new Generation(9_000 + (System.nanoTime() & 0xfff));

    @AfterEach
    void drop() {
        generations.drop(generation);
    }

    @Test
    void aWholeBatchDeliveredAgainIsNotCountedTwiceWithAnotherInstancesBatchCountedInBetween() {
        // A poll's worth of events of one type on one day: the most one batch counts on one document.
        int batch = environment.getRequiredProperty(MAX_POLL_RECORDS, Integer.class);
        String day = "2026-12-06";
        String counter = "referral.submitted|" + day;
        List<String> crashed = eventIds(batch);
        List<String> otherInstances = eventIds(batch);

        countAsOneBatch(counter, day, crashed);        // counted; the process died before the inbox's done-marks
        countAsOneBatch(counter, day, otherInstances); // another instance's batch on the same day, meanwhile
        countAsOneBatch(counter, day, crashed);        // the first batch, delivered again after the restart
        assertThat(count(counter)).isEqualTo(2L * batch);

        // Later batches count as usual, and the record stays bounded: it does not grow with everything ever counted.
        countAsOneBatch(counter, day, eventIds(batch));
        assertThat(count(counter)).isEqualTo(3L * batch);
        assertThat(mongo.findById(counter, Document.class, generation.collection(PartnershipFlows.DAILY))
                .getList(AppliedEvents.FIELD, String.class))
                .hasSize(Math.min(3 * batch, FactStore.COUNTED_EVENTS_KEPT));
    }

    private long count(String counter) {
        Document counted = mongo.findById(counter, Document.class, generation.collection(PartnershipFlows.DAILY));
        assertThat(counted).isNotNull();
        return counted.get("count", Number.class).longValue();
    }

    private void countAsOneBatch(String counter, String day, List<String> eventIds) {
        facts.beginBatch();
        try {
            for (String eventId : eventIds) {
                facts.count(generation, PartnershipFlows.DAILY, counter, eventId,
                        Map.of("type", "referral.submitted", "day", day), Map.of("count", 1L));
            }
            assertThat(facts.completeBatch()).isEmpty();
        } finally {
            facts.endBatch();
        }
    }

    private static List<String> eventIds(int n) {
        List<String> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        return ids;
    }
}
