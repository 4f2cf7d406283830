package org.pathways.learner.merging;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.consent.ConsentRecords;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerLink;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.domain.Viewer;
import org.pathways.learner.linking.Links;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.stereotype.Service;

/** Folds one record of a person into another record of the same person, both registered by one agency. */
@Service
class Merges {

    private final Learners learners;
    private final Links links;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;
    private final ConsentRecords consents;

    Merges(Learners learners, Links links, Outbox outbox, AccessAudit audit, Clock clock, ConsentRecords consents) {
        this.consents = consents;
        this.learners = learners;
        this.links = links;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Explicit merge of two records of one person that the caller's agency registered both of: {@code otherId} is
     * folded into {@code learnerId} and retired, both histories kept. Records registered by different agencies are
     * linked, never merged: each agency stays responsible for its own record.
     */
    Access merge(Caller caller, String learnerId, String otherId, AccessRequest request) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers link or erase learners.");
        }
        Learner survivor = learners.visibleTo(caller, learnerId);
        if (!survivor.isRegisteredBy(caller.agencyId())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        Learner other = learners.registeredBy(caller, otherId);
        if (other.isErased()) {
            throw ProblemException.notFound("learner", otherId);
        }
        audit.record(caller, survivor.id(), AccessAction.READ_PROFILE, request,
                List.of(Sharing.REGISTERING_AGENCY));
        Instant now = clock.instant();
        Learner saved = outbox.save(survivor, survivor.absorb(other, caller.agencyId(), caller.userId(), now));
        Access access = new Access(saved, Viewer.registering(caller.agencyId()),
                saved.sharingWith(Viewer.registering(caller.agencyId()), now));
        Learner retired = retire(other, saved, now);
        // A consent withdrawn on the other record while this ran stays withdrawn on the survivor too.
        consents.carryWithdrawalsOf(retired, caller.userId());
        // The survivor took over the other's links: link back from each record it now links to, so that every
        // link stays two-way.
        for (LearnerLink link : saved.links()) {
            learners.stored(link.learnerId())
                    .filter(linked -> !linked.isErased() && linked.mergedInto() == null)
                    .ifPresent(linked -> links.addLink(linked, saved.id(), caller, now));
        }
        return access;
    }

    /**
     * Retires the other record into the survivor. A change to it after it was read (a consent granted or withdrawn
     * meanwhile, say) has it read again: a consent granted meanwhile is carried to the survivor first, then it is
     * retired; a withdrawal is carried after ({@link ConsentRecords#carryWithdrawalsOf}). A record erased or merged
     * elsewhere meanwhile is refused ({@code 410} or {@code 409}).
     */
    private Learner retire(Learner other, Learner survivor, Instant now) {
        Learner current = other;
        for (int attempt = 1; ; attempt++) {
            try {
                return outbox.save(current, current.retireInto(survivor, now));
            } catch (org.springframework.dao.OptimisticLockingFailureException raced) {
                if (attempt >= 3) {
                    throw raced;
                }
                current = learners.stored(other.id()).orElseThrow(() -> raced);
                carryTo(survivor.id(), current, now);
            }
        }
    }

    /** Carries what {@code other} holds now that the survivor does not yet stand for (read again on a race). */
    private void carryTo(String survivorId, Learner other, Instant now) {
        for (int attempt = 1; ; attempt++) {
            Learner survivor = learners.stored(survivorId)
                    .orElseThrow(() -> ProblemException.notFound("learner", survivorId));
            List<org.pathways.events.PathwaysEvent> carried = new java.util.ArrayList<>();
            if (!survivor.carryConsentsOf(other, now, carried)) {
                return;
            }
            try {
                outbox.save(survivor, carried);
                return;
            } catch (org.springframework.dao.OptimisticLockingFailureException raced) {
                if (attempt >= 3) {
                    throw raced;
                }
            }
        }
    }
}
