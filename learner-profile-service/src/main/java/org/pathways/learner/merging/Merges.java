package org.pathways.learner.merging;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
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
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/** Folds one record of a person into another record of the same person, both registered by one agency. */
@Service
class Merges {

    /** How many times the survivor's write is tried while other writes to it win the race. */
    private static final int ABSORB_ATTEMPTS = 5;

    private final Learners learners;
    private final Links links;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;

    Merges(Learners learners, Links links, Outbox outbox, AccessAudit audit, Clock clock) {
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
     *
     * <p>The other record is retired first, fenced on the version read, and the survivor then takes in what that
     * version held: a change to the other meanwhile (a consent withdrawn) makes the merge a {@code 409} with nothing
     * written, where before the survivor could already hold a copy of the consent the learner had just withdrawn.
     * Once retired, a record takes no change, so the survivor's write may be tried again on what it read; a merge
     * that stopped between the two writes (a failure, a crash) is finished by the same request sent again.
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
        if (!survivor.id().equals(other.mergedInto())) {
            survivor.checkMayAbsorb(other);
            outbox.save(other, other.retireInto(survivor, now));
        }
        Learner saved = absorbed(survivor, other, caller, now);
        Access access = new Access(saved, Viewer.registering(caller.agencyId()),
                saved.sharingWith(Viewer.registering(caller.agencyId()), now));
        // The survivor took over the other's links: link back from each record it now links to, so that every
        // link stays two-way.
        for (LearnerLink link : saved.links()) {
            learners.stored(link.learnerId())
                    .filter(linked -> !linked.isErased() && linked.mergedInto() == null)
                    .ifPresent(linked -> links.addLink(linked, saved.id(), caller, now));
        }
        return access;
    }

    /** The survivor with the retired record taken in, read again and retried if it changed meanwhile. */
    private Learner absorbed(Learner survivor, Learner retired, Caller caller, Instant now) {
        Learner current = survivor;
        for (int attempt = 1; ; attempt++) {
            if (current.hasAbsorbed(retired.id())) {
                return current;     // the same merge again: nothing to write
            }
            try {
                return outbox.save(current, current.absorb(retired, caller.agencyId(), caller.userId(), now));
            } catch (OptimisticLockingFailureException raced) {
                if (attempt == ABSORB_ATTEMPTS) {
                    throw raced;    // a 409: the same request sent again finishes the merge
                }
                current = learners.stored(survivor.id())
                        .orElseThrow(() -> ProblemException.notFound("learner", survivor.id()));
            }
        }
    }
}
