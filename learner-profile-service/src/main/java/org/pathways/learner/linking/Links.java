package org.pathways.learner.linking;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;

import org.pathways.events.learner.LearnerLinked;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/** Links records of one person, both ways, without merging them. */
@Service
public class Links {

    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;

    Links(Learners learners, Outbox outbox, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Links two records of the same person, both ways, without merging them, and publishes the link on each. The
     * caller must be able to see both records (a record it may not see answers {@code 404}, like one that does not
     * exist, and nothing is written); for a record it may not see, it asks that record's agency instead (a link
     * request). A record that was merged away stands for the record it was merged into, so the link lands on a
     * record that is still kept up to date, which the caller must be able to see too; the answer never names that
     * record to an agency that may not see links. A link opens neither record to anyone. A link found one-way (a
     * failure between the two writes) is completed by linking again.
     */
    Access link(Caller caller, String learnerId, String otherLearnerId, AccessRequest request) {
        requireWorker(caller);
        Access access = learners.access(caller, learnerId);
        Learner learner = access.learner();
        if (otherLearnerId.equals(learner.id())) {
            throw ProblemException.unprocessable("link-to-itself", "A learner cannot be linked to their own record.");
        }
        Learner other = learners.find(otherLearnerId)
                .filter(found -> learners.seenBy(caller, otherLearnerId) && learners.seenBy(caller, found.id()))
                .orElseThrow(() -> ProblemException.notFound("learner", otherLearnerId));
        // A link is written into both records: an agency that only reads one of them (through a referral it
        // receives) asks its registering agency instead.
        if (access.sharing().readOnly() || learners.readOnlyFor(caller, otherLearnerId)
                || learners.readOnlyFor(caller, other.id())) {
            throw Sharing.readOnlyAccess();
        }
        if (other.id().equals(learner.id()) || (learner.isLinkedTo(other.id()) && other.isLinkedTo(learner.id()))) {
            throw ProblemException.conflict("already-linked", "These records are already linked.",
                    Map.of("learnerId", learnerId, "otherLearnerId", otherLearnerId));
        }
        // The answer shows the profile: audited before anything is written or answered.
        audit.record(caller, learner.id(), AccessAction.READ_PROFILE, request, access.grounds());
        Instant now = clock.instant();
        Learner saved = addLink(learner, other.id(), caller, now);
        addLink(other, learner.id(), caller, now);
        return new Access(saved, access.viewer(), access.sharing());
    }

    /**
     * Links {@code requesterRecord} and {@code ownRecord} both ways on a link request the caller's agency (which
     * registered {@code ownRecord}) accepted; neither record opens to the other's agency. Linking again adds
     * nothing, so an acceptance interrupted between the two writes is completed by accepting again.
     */
    public void linkOnRequest(Caller caller, Learner ownRecord, Learner requesterRecord) {
        requireWorker(caller);
        Instant now = clock.instant();
        addLink(ownRecord, requesterRecord.id(), caller, now);
        addLink(requesterRecord, ownRecord.id(), caller, now);
    }

    /**
     * Adds the link {@code from} → {@code to} with its event unless it is there already; a concurrent change to
     * {@code from} is retried on a fresh read.
     */
    public Learner addLink(Learner from, String to, Caller caller, Instant now) {
        for (int attempt = 1; ; attempt++) {
            if (from.isLinkedTo(to)) {
                return from;
            }
            LearnerLinked linked = from.linkTo(to, caller.agencyId(), caller.userId(), now);
            try {
                return outbox.save(from, linked);
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
                from = learners.stored(from.id()).orElseThrow();
            }
        }
    }

    private static void requireWorker(Caller caller) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers link or erase learners.");
        }
    }
}
