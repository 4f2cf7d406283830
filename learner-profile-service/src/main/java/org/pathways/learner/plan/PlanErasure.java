package org.pathways.learner.plan;

import java.util.Collection;
import java.util.List;

import org.pathways.learner.erasure.ErasureStep;
import org.pathways.messaging.outbox.Outbox;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Erasure removes the learner's plan steps (their titles are personal data); the document stays, empty, so that its
 * queued events are still published. Repeated, it changes nothing.
 */
@Component
class PlanErasure implements ErasureStep {

    private final MongoTemplate mongo;
    private final Outbox outbox;

    PlanErasure(MongoTemplate mongo, Outbox outbox) {
        this.mongo = mongo;
        this.outbox = outbox;
    }

    @Override
    public void forget(Collection<String> erasedLearnerIds) {
        for (String learnerId : erasedLearnerIds) {
            LearnerPlan plan = mongo.findById(learnerId, LearnerPlan.class);
            if (plan != null && plan.clear()) {
                outbox.save(plan, List.of());
            }
        }
    }
}
