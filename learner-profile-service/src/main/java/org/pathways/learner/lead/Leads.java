package org.pathways.learner.lead;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.learner.LeadEndReason;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.standing.Standing;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Assigns, hands over and ends a learner's lead. Only agencies with standing see or touch the lead: an agency that
 * only reads the learner through a referral it receives gets {@code 404} for the lead (as for the timeline) and
 * {@code 403 read-only-access} for a change. Whenever the lead is looked at, a lead whose agency has lost standing
 * (its consent withdrawn or lapsed) is ended first ({@code STANDING_LOST}), and a waiting handover to an agency
 * without standing is dropped.
 */
@Service
public class Leads {

    private static final Logger LOG = LoggerFactory.getLogger(Leads.class);
    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Standing standing;
    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final AccessAudit audit;
    private final Clock clock;

    Leads(Learners learners, Standing standing, Outbox outbox, MongoTemplate mongo, AccessAudit audit,
          Clock clock) {
        this.learners = learners;
        this.standing = standing;
        this.outbox = outbox;
        this.mongo = mongo;
        this.audit = audit;
        this.clock = clock;
    }

    LeadView read(Caller caller, String learnerId, AccessRequest request) {
        Access access = withStanding(caller, learnerId);
        LearnerLead state = current(access.learner());
        audit.record(caller, learnerId, AccessAction.READ_LEAD, request, access.grounds());
        return LeadView.of(state);
    }

    /** A worker makes a worker of their own agency the lead, if there is none; their agency must have standing. */
    LeadView assign(Caller caller, String learnerId, String workerId, AccessRequest request) {
        Access access = forChange(caller, learnerId);
        LearnerLead state = current(access.learner());
        Instant now = clock.instant();
        List<PathwaysEvent> events = new ArrayList<>();
        state.assign(caller.agencyId(), workerId, now).ifPresent(events::add);
        return saved(caller, access, state, events, request);
    }

    /** The lead's agency steps down; nobody leads until someone is assigned. */
    LeadView stepDown(Caller caller, String learnerId, AccessRequest request) {
        Access access = forChange(caller, learnerId);
        LearnerLead state = current(access.learner());
        requireLeadAgency(caller, state);
        return saved(caller, access, state, List.of(state.end(LeadEndReason.STEPPED_DOWN, clock.instant())), request);
    }

    /** The lead's agency offers the lead to a named worker of an agency with standing; the old lead stays meanwhile. */
    LeadView offerHandover(Caller caller, String learnerId, OfferHandover offer, AccessRequest request) {
        Access access = forChange(caller, learnerId);
        Learner learner = access.learner();
        LearnerLead state = current(learner);
        requireLeadAgency(caller, state);
        Instant now = clock.instant();
        // Decided as the team view shows the team to the caller: an agency covered only by a consent to its kind,
        // not otherwise involved, is refused as one without grounds (the answer would tell the learner's consents).
        if (!standing.mayName(access, offer.toAgencyId(), true, now)) {
            throw ProblemException.unprocessable("agency-without-standing",
                    "The lead can go only to a worker of an agency that registered the learner or holds their "
                            + "consent in force.");
        }
        state.offer(offer.toAgencyId(), offer.toWorkerId(), caller.userId(), now);
        return saved(caller, access, state, List.of(), request);
    }

    /** Only the named worker of the named agency accepts; from then they lead. */
    LeadView acceptHandover(Caller caller, String learnerId, AccessRequest request) {
        Access access = forChange(caller, learnerId);
        LearnerLead state = current(access.learner());
        Handover handover = state.handover()
                .orElseThrow(() -> new ProblemException(HttpStatus.NOT_FOUND, "not-found", "No handover is waiting."));
        if (!handover.isFor(caller.agencyId(), caller.userId())) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "not-the-named-worker",
                    "Only the worker the lead was offered to accepts it.");
        }
        return saved(caller, access, state, List.of(state.accept(clock.instant())), request);
    }

    /** The lead's agency cancels the waiting handover, or the named worker declines it; the lead stays. */
    LeadView dropHandover(Caller caller, String learnerId, AccessRequest request) {
        Access access = forChange(caller, learnerId);
        LearnerLead state = current(access.learner());
        Handover handover = state.handover()
                .orElseThrow(() -> new ProblemException(HttpStatus.NOT_FOUND, "not-found", "No handover is waiting."));
        boolean leadAgency = state.lead().map(lead -> lead.agencyId().equals(caller.agencyId())).orElse(false);
        if (!leadAgency && !handover.isFor(caller.agencyId(), caller.userId())) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "not-the-lead",
                    "Only the lead's agency cancels a handover, and only the worker it was offered to declines it.");
        }
        state.dropHandover();
        return saved(caller, access, state, List.of(), request);
    }

    /**
     * The learner's lead as it stands now: a lead whose agency lost standing is ended first ({@code lead-ended}
     * {@code STANDING_LOST}), and a waiting handover to an agency without standing dropped. A concurrent change is
     * retried on a fresh read.
     */
    public LearnerLead current(Learner learner) {
        for (int attempt = 1; ; attempt++) {
            LearnerLead state = load(learner.id());
            Instant now = clock.instant();
            List<PathwaysEvent> events = new ArrayList<>();
            boolean changed = false;
            if (state.lead().isPresent() && !standing.has(learner, state.lead().get().agencyId(), now)) {
                events.add(state.end(LeadEndReason.STANDING_LOST, now));
                changed = true;
            }
            changed |= state.dropHandoverTo(agency -> !standing.has(learner, agency, now));
            if (!changed) {
                return state;
            }
            try {
                LearnerLead saved = outbox.save(state, events);
                if (!events.isEmpty()) {
                    LOG.info("Ended a lead whose agency lost standing");
                }
                return saved;
            } catch (OptimisticLockingFailureException raced) {
                if (attempt >= ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    /** The lead of a learner for features that already decided the caller may see it (no audit of its own). */
    public Optional<Lead> leadOf(Learner learner) {
        return current(learner).lead();
    }

    /** Re-checks the lead of {@code learnerId} (after a consent was withdrawn or lapsed); skips erased learners. */
    public void recheck(String learnerId) {
        learners.find(learnerId).ifPresent(this::current);
    }

    private LearnerLead load(String learnerId) {
        LearnerLead state = mongo.findById(learnerId, LearnerLead.class);
        return state != null ? state : LearnerLead.none(learnerId);
    }

    private LeadView saved(Caller caller, Access access, LearnerLead state, List<PathwaysEvent> events,
                           AccessRequest request) {
        audit.record(caller, access.learner().id(), AccessAction.CHANGE_LEAD, request, access.grounds());
        return LeadView.of(outbox.save(state, events));
    }

    /** The learner, if the caller's agency has standing; an agency that only reads them gets the same 404. */
    private Access withStanding(Caller caller, String learnerId) {
        Access access = learners.access(caller, learnerId);
        if (!Standing.hasStanding(access.sharing())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        return access;
    }

    /** A worker of an agency with standing, on a record that is still kept up to date. */
    private Access forChange(Caller caller, String learnerId) {
        Access access = learners.access(caller, learnerId);
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers lead, or change who leads, the work with a "
                    + "learner.");
        }
        if (!Standing.hasStanding(access.sharing())) {
            throw Sharing.readOnlyAccess();
        }
        if (access.learner().mergedInto() != null) {
            throw ProblemException.conflict("learner-merged",
                    "This record was merged into another; change that one instead.",
                    java.util.Map.of("mergedInto", access.learner().mergedInto()));
        }
        return access;
    }

    private static void requireLeadAgency(Caller caller, LearnerLead state) {
        Lead lead = state.lead()
                .orElseThrow(() -> new ProblemException(HttpStatus.NOT_FOUND, "not-found",
                        "This learner has no lead worker."));
        if (!lead.agencyId().equals(caller.agencyId())) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "not-the-lead",
                    "Only the lead's agency hands over or steps down.");
        }
    }
}
