package org.pathways.progression.milestones;

import java.util.Optional;

import org.pathways.events.EventType;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerMerged;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * The one place this service keeps a learner id: learner id → coarse locality code ({@value #COLLECTION}), so that
 * milestones can be counted by locality. Kept current from registration and profile updates; erased with the
 * learner (and dropped for a record retired by a merge). Milestones already counted keep only the locality code.
 */
@Component
class LearnerLocalityProjection implements Projection {

    static final String COLLECTION = "learner-localities";

    private final MongoTemplate mongo;

    LearnerLocalityProjection(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event) {
        if (event.is(EventType.LEARNER_REGISTERED)) {
            LearnerRegistered registered = event.data(LearnerRegistered.class);
            locate(registered.learnerId(), registered.localityCode());
        } else if (event.is(EventType.LEARNER_PROFILE_UPDATED)) {
            LearnerProfileUpdated updated = event.data(LearnerProfileUpdated.class);
            locate(updated.learnerId(), updated.localityCode());
        } else if (event.is(EventType.LEARNER_ERASED)) {
            forget(event.data(LearnerErased.class).learnerId());
        } else if (event.is(EventType.LEARNER_MERGED)) {
            forget(event.data(LearnerMerged.class).learnerId());
        }
        // Figures change only when a milestone is counted.
        return Optional.empty();
    }

    /** The learner's locality code, when known. */
    Optional<String> localityOf(String learnerId) {
        org.bson.Document found = mongo.findById(learnerId, org.bson.Document.class, COLLECTION);
        return Optional.ofNullable(found).map(d -> d.getString("localityCode"));
    }

    private void locate(String learnerId, String localityCode) {
        if (localityCode != null) {
            mongo.upsert(Query.query(Criteria.where("_id").is(learnerId)),
                    new Update().set("localityCode", localityCode), COLLECTION);
        }
    }

    private void forget(String learnerId) {
        mongo.remove(Query.query(Criteria.where("_id").is(learnerId)), COLLECTION);
    }
}
