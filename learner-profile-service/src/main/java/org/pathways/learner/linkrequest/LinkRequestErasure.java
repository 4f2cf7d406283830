package org.pathways.learner.linkrequest;

import java.util.Collection;

import org.pathways.learner.erasure.ErasureStep;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/** Requests naming erased records go with them: who asked whom to link says something about the person. */
@Component
class LinkRequestErasure implements ErasureStep {

    private final MongoTemplate mongo;

    LinkRequestErasure(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public void forget(Collection<String> erasedLearnerIds) {
        mongo.remove(Query.query(new Criteria().orOperator(Criteria.where("learnerId").in(erasedLearnerIds),
                Criteria.where("requestingLearnerId").in(erasedLearnerIds))), LinkRequest.class);
    }
}
