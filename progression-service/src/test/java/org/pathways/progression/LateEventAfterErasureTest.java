package org.pathways.progression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.ProfileField;
import org.pathways.testing.EventProducer;
import org.pathways.progression.learners.LearnerProjection;
import org.pathways.progression.tally.Generations;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/** No re-learning an erased learner: an event about them that arrives after the erasure is kept pseudonymously. */
class LateEventAfterErasureTest extends ProgressionServiceTest {

    @Autowired
    MongoTemplate mongo;

    @Autowired
    Generations generations;

    private String learners() {
        return generations.active().collection(LearnerProjection.COLLECTION);
    }

    @Test
    void aProfileUpdateArrivingAfterTheErasureIsNotStoredUnderTheLearnersId() {
        String learner = unique("lrn");
        String council = unique("council");
        String there = unique("LS2");
        try (EventProducer producer = new EventProducer()) {
            producer.publish(new LearnerRegistered(learner, council, unique("LS6"), Instant.now()));
            producer.publish(new LearnerErased(learner, council, Instant.now()));
            // Published by the profile service just before the erasure, delivered after it (a replay does the same).
            producer.publish(new LearnerProfileUpdated(learner, 2, List.of(ProfileField.LOCALITY), there, council,
                    Instant.now()));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(
                Query.query(Criteria.where("_id").is(learner)), "erased-learners"));
        String pseudonym = mongo.findById(learner, Document.class, "erased-learners").getString("pseudonym");
        // Consumed: the locality is kept, under the pseudonym only.
        await().atMost(Duration.ofSeconds(30)).until(() -> mongo.exists(
                Query.query(Criteria.where("_id").is(pseudonym).and("localityCode").is(there)),
                learners()));
        assertThat(mongo.exists(Query.query(Criteria.where("_id").is(learner)), learners())).isFalse();
    }
}
