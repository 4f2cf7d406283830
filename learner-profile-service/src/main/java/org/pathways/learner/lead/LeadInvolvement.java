package org.pathways.learner.lead;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.pathways.learner.domain.Learner;
import org.pathways.learner.standing.TeamInvolvement;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/** The lead's agency and the agency a handover waits for, as the team view shows them (read as stored). */
@Component
class LeadInvolvement implements TeamInvolvement {

    private final MongoTemplate mongo;

    LeadInvolvement(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Collection<String> agenciesInvolvedWith(Learner learner) {
        LearnerLead state = mongo.findById(learner.id(), LearnerLead.class);
        List<String> agencies = new ArrayList<>();
        if (state != null) {
            state.lead().ifPresent(lead -> agencies.add(lead.agencyId()));
            state.handover().ifPresent(handover -> agencies.add(handover.toAgencyId()));
        }
        return agencies;
    }
}
