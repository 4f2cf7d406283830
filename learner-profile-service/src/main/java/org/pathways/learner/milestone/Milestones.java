package org.pathways.learner.milestone;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Milestone;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Service;

/** Records and reads the progression timeline; each step is saved with its event through the outbox. */
@Service
class Milestones {

    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Outbox outbox;
    private final AccessAudit audit;
    private final Clock clock;

    Milestones(Learners learners, Outbox outbox, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.outbox = outbox;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Workers (or systems) of an agency that may see the learner record steps for their own agency; an agency that
     * only reads the learner (through a referral it receives) adds nothing: its outcomes arrive as referral events.
     */
    Milestone record(Caller caller, String learnerId, RecordMilestone request) {
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems record milestones.");
        }
        Access access = learners.access(caller, learnerId);
        if (access.sharing().readOnly()) {
            throw Sharing.readOnlyAccess();
        }
        Learner learner = access.learner();
        MilestoneRecorded recorded = learner.recordMilestone(request.details(), caller.agencyId(), caller.userId(),
                null, clock.instant()).orElseThrow();
        Learner saved = outbox.save(learner, recorded);
        return saved.milestones().stream().filter(m -> m.id().equals(recorded.milestoneId())).findFirst()
                .orElseThrow();
    }

    /**
     * The timeline follows its purpose: the registering agency reads it, and so does an agency holding the
     * learner's consent to {@code OUTCOME_SHARING} (to itself or its kind) in force. Any other standing (a consent
     * for another purpose, a referral it receives) gets the same {@code 404} as a learner it may not see; the audit
     * names the outcome consent as the grounds.
     */
    List<Milestone> timeline(Caller caller, String learnerId, AccessRequest access) {
        Access visible = learners.access(caller, learnerId);
        Learner learner = visible.learner();
        List<String> grounds = visible.sharing().registering() ? visible.grounds()
                : learner.consentFor(caller.agencyId(), visible.viewer().kind(), ConsentPurpose.OUTCOME_SHARING,
                        clock.instant()).map(consent -> List.of("consent:" + consent.id()))
                .orElseThrow(() -> ProblemException.notFound("learner", learnerId));
        audit.record(caller, learnerId, AccessAction.READ_MILESTONES, access, grounds);
        return learner.milestones().stream()
                .sorted(java.util.Comparator.comparing(Milestone::occurredOn).thenComparing(Milestone::recordedAt))
                .toList();
    }

    /**
     * Records a step from a referral event, once per event; a learner unknown here or erased is skipped. A
     * concurrent change to the learner is retried a few times, then left to the binder's retries.
     */
    void recordFromEvent(String learnerId, Milestone.Details details, String agencyId, String eventId) {
        for (int attempt = 1; ; attempt++) {
            Optional<Learner> found = learners.find(learnerId);
            if (found.isEmpty()) {
                return;
            }
            Learner learner = found.get();
            Optional<MilestoneRecorded> recorded = learner.recordMilestone(details, agencyId, "referral-event",
                    eventId, clock.instant());
            if (recorded.isEmpty()) {
                return;
            }
            try {
                outbox.save(learner, recorded.get());
                return;
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }
}
