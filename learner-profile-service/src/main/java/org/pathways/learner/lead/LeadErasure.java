package org.pathways.learner.lead;

import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.learner.LeadEndReason;
import org.pathways.learner.erasure.ErasureStep;
import org.pathways.messaging.outbox.Outbox;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Component;

/**
 * Erasure ends the learner's lead ({@code lead-ended} {@code LEARNER_ERASED}) and drops a waiting handover; the
 * document stays, empty, so that its queued events are still published. Repeated, it changes nothing. Works on the
 * store directly: the learner is already erased, and the profiles depend on the erasure steps.
 */
@Component
class LeadErasure implements ErasureStep {

    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final Clock clock;

    LeadErasure(MongoTemplate mongo, Outbox outbox, Clock clock) {
        this.mongo = mongo;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Override
    public void forget(Collection<String> erasedLearnerIds) {
        Instant now = clock.instant();
        for (String learnerId : erasedLearnerIds) {
            LearnerLead state = mongo.findById(learnerId, LearnerLead.class);
            if (state == null || (state.lead().isEmpty() && state.handover().isEmpty())) {
                continue;
            }
            List<PathwaysEvent> events = state.lead().isPresent()
                    ? List.of(state.end(LeadEndReason.LEARNER_ERASED, now)) : List.of();
            if (events.isEmpty()) {
                state.dropHandover();
            }
            outbox.save(state, events);
        }
    }
}
