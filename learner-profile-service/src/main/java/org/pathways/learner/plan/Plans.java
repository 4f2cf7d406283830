package org.pathways.learner.plan;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.lead.Lead;
import org.pathways.learner.lead.Leads;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.learner.standing.Standing;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Reads and changes the shared plan. Who sees a step: an agency with standing (it registered the learner or holds a
 * consent in force; the lead's agency always has) sees every step; an agency that only reads the learner through a
 * referral it receives sees the steps it owns, and no others. Who adds one: an agency with standing. Who changes
 * one: its owner agency or the lead's agency; another agency that sees it gets {@code 403 not-step-owner}, one that
 * does not gets {@code 404}.
 */
@Service
public class Plans {

    private static final int ATTEMPTS = 3;

    private final Learners learners;
    private final Standing standing;
    private final Leads leads;
    private final ReferralRelationships relationships;
    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final AccessAudit audit;
    private final Clock clock;

    Plans(Learners learners, Standing standing, Leads leads, ReferralRelationships relationships, Outbox outbox,
          MongoTemplate mongo, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.standing = standing;
        this.leads = leads;
        this.relationships = relationships;
        this.outbox = outbox;
        this.mongo = mongo;
        this.audit = audit;
        this.clock = clock;
    }

    PlanView read(Caller caller, String learnerId, AccessRequest request) {
        Access access = learners.access(caller, learnerId);
        LearnerPlan plan = load(access.learner().id());
        audit.record(caller, learnerId, AccessAction.READ_PLAN, request, access.grounds());
        return view(access, plan);
    }

    PlanView add(Caller caller, String learnerId, Long expectedRevision, AddPlanStep step, AccessRequest request) {
        Access access = forChange(caller, learnerId, expectedRevision);
        Learner learner = access.learner();
        if (!Standing.hasStanding(access.sharing())) {
            throw Sharing.readOnlyAccess();
        }
        Instant now = clock.instant();
        PlanText.requireSensibleDueDate(step.dueOn(), today());
        String owner = step.ownerAgencyId() != null ? step.ownerAgencyId() : caller.agencyId();
        requireTeamMember(access, owner, now);
        requireReferralOf(learner, step.referralId());
        audit.record(caller, learnerId, AccessAction.CHANGE_PLAN, request, access.grounds());
        return view(access, save(learner.id(), expectedRevision, plan -> List.of(plan.add(step.title(), owner,
                step.dueOn(), step.status() != null ? step.status() : PlanStepStatus.PLANNED, step.referralId(),
                step.opportunityId(), caller.agencyId(), now))));
    }

    PlanView change(Caller caller, String learnerId, String stepId, Long expectedRevision, ChangePlanStep change,
                    AccessRequest request) {
        Access access = forChange(caller, learnerId, expectedRevision);
        Learner learner = access.learner();
        LearnerPlan current = load(learner.id());
        PlanStep step = current.step(stepId).filter(found -> sees(access, found))
                .orElseThrow(() -> ProblemException.notFound("plan step", stepId));
        boolean leadAgency = leads.leadOf(learner).map(Lead::agencyId).filter(caller.agencyId()::equals).isPresent();
        if (!leadAgency && !step.ownerAgencyId().equals(caller.agencyId())) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "not-step-owner",
                    "Only the agency that owns a step, or the lead's agency, changes it.");
        }
        Instant now = clock.instant();
        PlanText.requireSensibleDueDate(change.dueOn(), today());
        if (change.ownerAgencyId() != null && !change.ownerAgencyId().equals(step.ownerAgencyId())) {
            requireTeamMember(access, change.ownerAgencyId(), now);
        }
        audit.record(caller, learnerId, AccessAction.CHANGE_PLAN, request, access.grounds());
        return view(access, save(learner.id(), expectedRevision, plan -> plan.change(stepId, change.title(),
                change.status(), change.dueOn(), change.ownerAgencyId(), caller.agencyId(), now).stream().toList()));
    }

    /**
     * A step may follow only a referral of this learner (or of a record merged into it): its owner and the lead's
     * agency are told of the referral's changes, which an agency with standing sees in the team view anyway; a
     * referral of another person would tell them of someone they have no grounds to know about.
     */
    private void requireReferralOf(Learner learner, String referralId) {
        if (referralId == null) {
            return;
        }
        List<String> learnerIds = new java.util.ArrayList<>();
        learnerIds.add(learner.id());
        learner.mergedFrom().forEach(merged -> learnerIds.add(merged.learnerId()));
        if (!relationships.isReferralOf(referralId, learnerIds)) {
            throw ProblemException.unprocessable("referral-not-of-learner", "Referral " + referralId
                    + " is not one of this learner's referrals here. A step follows only the learner's own referral;"
                    + " one just sent is known here within a few seconds.");
        }
    }

    /**
     * Applies a change to the plan at {@code expectedRevision} and saves it with its events. A race with the overdue
     * check (which does not change the revision) is retried; a race with another person's change is {@code 412}.
     */
    private LearnerPlan save(String learnerId, long expectedRevision,
                             Function<LearnerPlan, List<? extends PathwaysEvent>> change) {
        for (int attempt = 1; ; attempt++) {
            LearnerPlan plan = load(learnerId);
            plan.requireRevision(expectedRevision);
            List<? extends PathwaysEvent> events = change.apply(plan);
            if (events.isEmpty()) {
                return plan;
            }
            try {
                return outbox.save(plan, events);
            } catch (OptimisticLockingFailureException | DuplicateKeyException raced) {
                if (attempt >= ATTEMPTS) {
                    throw new ProblemException(HttpStatus.PRECONDITION_FAILED, "stale-version",
                            "The plan changed since you read it; read it again and retry.");
                }
            }
        }
    }

    /**
     * Hands every open step whose owner is no longer in the learner's team (the consent it stood on withdrawn or
     * lapsed, the referral it received closed) to the agency that registered the learner, which always is. The former
     * owner stops hearing of the learner (the step's changes and overdue notices go to the owner), and the step is not
     * left with no one in the team who may change it. Publishes {@code plan-step-changed} for each, changed by the
     * registering agency. A race with another change is read again a few times, then left to the next look (the
     * periodic standing check, {@code StepOwnersFollowStanding#recheckAll}, looks at every plan again).
     *
     * @return how many steps were handed over
     */
    public int handOverStepsWithoutStanding(String learnerId) {
        for (int attempt = 1; ; attempt++) {
            Learner learner = learners.find(learnerId).orElse(null);
            LearnerPlan plan = mongo.findById(learnerId, LearnerPlan.class);
            if (learner == null || plan == null || learner.mergedInto() != null) {
                return 0;
            }
            Instant now = clock.instant();
            String registering = learner.registeringAgencyId();
            List<PathwaysEvent> events = new java.util.ArrayList<>();
            for (PlanStep step : plan.steps()) {
                if (step.isOpen() && !step.ownerAgencyId().equals(registering)
                        && !standing.isTeamMember(learner, step.ownerAgencyId(), now)) {
                    plan.change(step.id(), null, null, null, registering, registering, now).ifPresent(events::add);
                }
            }
            if (events.isEmpty()) {
                return 0;
            }
            try {
                outbox.save(plan, events);
                return events.size();
            } catch (OptimisticLockingFailureException | DuplicateKeyException raced) {
                if (attempt >= ATTEMPTS) {
                    return 0;
                }
            }
        }
    }

    /** The steps of the learner's plan that {@code agencyId} may see (for the team view). */
    public List<PlanStep> stepsSeenBy(Access access) {
        return load(access.learner().id()).steps().stream().filter(step -> sees(access, step))
                .sorted(Comparator.comparing(PlanStep::createdAt)).toList();
    }

    /** An agency with standing sees every step; one that only reads the learner sees the steps it owns. */
    private static boolean sees(Access access, PlanStep step) {
        return Standing.hasStanding(access.sharing()) || step.ownerAgencyId().equals(access.viewer().agencyId());
    }

    private PlanView view(Access access, LearnerPlan plan) {
        Sharing sharing = access.sharing();
        String goals = sharing.registering() || sharing.includes(ConsentPurpose.REFERRAL_SHARING)
                ? access.learner().goals() : null;
        LocalDate today = today();
        return new PlanView(plan.learnerId(), plan.revision(), goals, stepsSeenBy(access, plan).stream()
                .map(step -> PlanView.StepView.of(step, today)).toList());
    }

    private static List<PlanStep> stepsSeenBy(Access access, LearnerPlan plan) {
        return plan.steps().stream().filter(step -> sees(access, step))
                .sorted(Comparator.comparing(PlanStep::createdAt)).toList();
    }

    private Access forChange(Caller caller, String learnerId, Long expectedRevision) {
        Access access = learners.access(caller, learnerId);
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems change a learner's plan.");
        }
        if (expectedRevision == null) {
            throw new ProblemException(HttpStatus.PRECONDITION_REQUIRED, "version-required",
                    "Send the plan's version you read as If-Match (its ETag), so no one's change is lost.");
        }
        if (access.learner().mergedInto() != null) {
            throw ProblemException.conflict("learner-merged",
                    "This record was merged into another; change that one instead.",
                    Map.of("mergedInto", access.learner().mergedInto()));
        }
        return access;
    }

    /**
     * The owner must be in the team as the caller sees it ({@link Standing#mayName}): one refusal for an agency with
     * no grounds and for one the caller cannot see is in the team (covered only by a consent to its kind, or, to an
     * agency that only reads the learner, any agency but itself and the registering one).
     */
    private void requireTeamMember(Access caller, String agencyId, Instant now) {
        if (!standing.mayName(caller, agencyId, false, now)) {
            throw ProblemException.unprocessable("owner-not-in-team",
                    "A step is owned by an agency in the learner's team: one that registered them, holds their "
                            + "consent in force, or receives an open referral of them.");
        }
    }

    LearnerPlan load(String learnerId) {
        LearnerPlan plan = mongo.findById(learnerId, LearnerPlan.class);
        return plan != null ? plan : LearnerPlan.empty(learnerId);
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    /** The plan's version from {@code If-Match: "3"} (or {@code W/"3"}); a malformed one is a {@code 400}. */
    static Long revisionFrom(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        String tag = ifMatch.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (!tag.matches("\"[0-9]{1,18}\"")) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "validation",
                    "If-Match must be the ETag the plan was read with, such as \"3\".");
        }
        return Long.valueOf(tag.substring(1, tag.length() - 1));
    }
}
