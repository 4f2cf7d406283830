package org.pathways.learner.plan;

import java.util.Collection;
import java.util.List;

import org.pathways.learner.domain.Learner;
import org.pathways.learner.standing.TeamInvolvement;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/** The owners of the learner's plan steps, as the team view shows them to an agency with standing. */
@Component
class StepOwnerInvolvement implements TeamInvolvement {

    private final MongoTemplate mongo;

    StepOwnerInvolvement(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Collection<String> agenciesInvolvedWith(Learner learner) {
        LearnerPlan plan = mongo.findById(learner.id(), LearnerPlan.class);
        return plan == null ? List.of() : plan.steps().stream().map(PlanStep::ownerAgencyId).toList();
    }
}
