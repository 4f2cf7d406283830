package org.pathways.learner.erasure;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/** The right to erasure: a learner's personal data removed at their request, everywhere this service keeps it. */
@Service
class Erasures {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Erasures.class);
    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Outbox outbox;
    private final ReferralRelationships relationships;
    private final List<ErasureStep> erasureSteps;
    private final Clock clock;

    Erasures(Learners learners, Outbox outbox, ReferralRelationships relationships, List<ErasureStep> erasureSteps,
             Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.relationships = relationships;
        this.erasureSteps = List.copyOf(erasureSteps);
        this.clock = clock;
    }

    /** The outcome of an erasure: the tombstone, and whether it was there before this request. */
    record Erased(Learner learner, boolean already) {
    }

    /**
     * Right to erasure, exercised through a worker of the registering agency. Records merged into this one (and
     * into those) hold the same person's data and are erased with it. Each record is erased in one atomic write with
     * its {@code learner.erased} event (so the event is published once per record); an erasure interrupted between
     * records is finished by asking again: a repeat on an erased learner erases whatever is left and answers that
     * it is done.
     */
    Erased erase(Caller caller, String learnerId) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers link or erase learners.");
        }
        Learner learner = learners.registeredBy(caller, learnerId);
        boolean already = learner.isErased();
        Instant now = clock.instant();
        Learner erased = eraseOne(learner, caller.agencyId(), now);
        List<String> erasedIds = new ArrayList<>();
        Deque<String> pending = new ArrayDeque<>(List.of(erased.id()));
        while (!pending.isEmpty()) {
            String id = pending.pop();
            if (erasedIds.contains(id)) {
                continue;
            }
            erasedIds.add(id);
            Learner record = id.equals(erased.id()) ? erased
                    : learners.stored(id).map(found -> eraseOne(found, caller.agencyId(), now)).orElse(null);
            if (record != null) {
                record.mergedFrom().forEach(merged -> pending.push(merged.learnerId()));
            }
        }
        relationships.forget(erasedIds);
        erasureSteps.forEach(step -> step.forget(erasedIds));
        if (!already) {
            LOG.info("Erased a learner at their request ({} record(s))", erasedIds.size());
        }
        return new Erased(erased, already);
    }

    /** Erases one record unless it is erased already; a concurrent change is retried on a fresh read. */
    private Learner eraseOne(Learner record, String agencyId, Instant now) {
        for (int attempt = 1; ; attempt++) {
            if (record.isErased()) {
                return record;
            }
            try {
                return outbox.save(record, record.erase(agencyId, now));
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
                record = learners.stored(record.id()).orElseThrow();
            }
        }
    }
}
