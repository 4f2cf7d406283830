package org.pathways.referral.nextsteps;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.lifecycle.ReferralLifecycle;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.pathways.referral.submission.ReferralSubmission;
import org.pathways.referral.submission.SubmitReferral;
import org.pathways.referral.web.ExpectedVersion;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The progression chain: a completed referral suggests next steps along its opportunity's onward routes (from the
 * catalogue's {@code leadsTo}), and either of its agencies starts the next referral from it. The next referral is a
 * submission like any other (published opportunity, consent for its receiving agency, one open referral per learner
 * and opportunity, {@code Idempotency-Key}), made by the caller's agency, keeping the learner, need and urgency
 * unless the worker changes them, and linked both ways (previous / next) so the chain is the person's journey.
 *
 * <p>Two documents change without a multi-document transaction: the next referral is inserted first, then linked
 * from the completed one under its version; if that loses a race (another next step linked meanwhile) the new
 * referral is cancelled again, with its event, and the caller gets a 409.
 */
@Service
class NextSteps {

    static final String WAITLIST = "waitlist";

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ReadModelProjections readModels;
    private final ReferralSubmission submission;
    private final ReferralLifecycle lifecycle;
    private final Clock clock;

    NextSteps(Outbox outbox, MongoTemplate mongo, ReadModelProjections readModels, ReferralSubmission submission,
              ReferralLifecycle lifecycle, Clock clock) {
        this.outbox = outbox;
        this.mongo = mongo;
        this.readModels = readModels;
        this.submission = submission;
        this.lifecycle = lifecycle;
        this.clock = clock;
    }

    /** Refuses an agency that may not refer the learner now, before anything about their journey is said. */
    private void requireStanding(Caller caller, Referral referral, Instant now) {
        if (!readModels.mayRefer(referral.learnerId(), caller.agencyId(), now)) {
            throw new ProblemException(HttpStatus.FORBIDDEN, "no-standing", "Your agency has no standing to refer"
                    + " this learner now (it did not register them, and they have no consent in force to share a"
                    + " referral with it): next steps are suggested to, and started by, an agency that may refer"
                    + " them.");
        }
    }

    NextStepSuggestions suggest(Caller caller, String id) {
        Referral completed = completed(partyReferral(caller, id));
        Instant now = clock.instant();
        // For an agency that may refer the learner now, as a next step's submission requires: whether the learner
        // consents to other agencies, and where they are referred already, is not for one whose grounds have ended.
        requireStanding(caller, completed, now);
        List<String> routes = readModels.opportunity(completed.opportunityId()).map(OpportunityView::leadsTo)
                .orElse(List.of());
        List<NextStepSuggestions.Suggestion> suggestions = new ArrayList<>();
        List<NextStepSuggestions.Excluded> excluded = new ArrayList<>();
        for (String route : routes) {
            OpportunityView onward = readModels.opportunity(route).orElse(null);
            if (onward == null || onward.status() == null) {
                excluded.add(new NextStepSuggestions.Excluded(route, "UNKNOWN"));
            } else if (!onward.open()) {
                excluded.add(new NextStepSuggestions.Excluded(route, onward.status().name()));
            } else {
                Referral open = mongo.findOne(Query.query(Criteria.where("openKey")
                        .is(completed.learnerId() + "|" + route)), Referral.class);
                suggestions.add(new NextStepSuggestions.Suggestion(route, onward.providerAgencyId(),
                        onward.status(), onward.capacity(), onward.placesTaken(), onward.placesLeft(),
                        onward.full() ? WAITLIST : null,
                        readModels.referralSharingAllowed(completed.learnerId(), onward.providerAgencyId(), now),
                        open != null, open != null && open.isPartyTo(caller.agencyId()) ? open.id() : null));
            }
        }
        return new NextStepSuggestions(completed.id(), completed.opportunityId(), suggestions, excluded);
    }

    ReferralSubmission.Outcome start(Caller caller, String id, StartNextStep request, String idempotencyKey,
                                     ExpectedVersion expected) {
        Referral previous = partyReferral(caller, id);
        if (!caller.has(Role.WORKER) && !caller.has(Role.AGENCY_SYSTEM)) {
            throw ProblemException.forbidden("Only an agency's workers or systems start a next step.");
        }
        // Whether (and where) the person went on, or what a request made earlier answered (the need, the summary),
        // is not for an agency whose grounds have ended: asked first.
        requireStanding(caller, previous, clock.instant());
        SubmitReferral next = new SubmitReferral(previous.learnerId(), request.opportunityId(),
                request.need() != null ? request.need() : previous.need(),
                request.urgency() != null ? request.urgency() : previous.urgency());
        var replayed = submission.replayOf(caller, next, idempotencyKey, previous);
        if (replayed.isPresent()) {
            linkIfLeftUnlinked(previous, replayed.get().referral());
            return replayed.get();
        }
        if (!expected.matches(previous.version())) {
            throw ReferralLifecycle.stale(previous);
        }
        completed(previous);
        ReferralStatus currentNext = currentNextStatus(previous);
        if (currentNext != null && (currentNext.open() || currentNext == ReferralStatus.COMPLETED)) {
            throw ProblemException.conflict("next-step-exists",
                    "This referral already leads on to another; follow the chain from there.",
                    Map.of("nextReferralId", previous.nextReferralId()));
        }
        ReferralSubmission.Outcome outcome = submission.submit(caller, next, idempotencyKey, previous);
        if (outcome.replayed()) {
            return outcome;
        }
        Referral created = outcome.referral();
        try {
            previous.linkNextStep(created, currentNext);
            outbox.save(previous);
        } catch (RuntimeException failed) {
            // The next referral must not stay open unlinked beside a next step another request linked meanwhile.
            outbox.save(created, created.perform(ReferralAction.CANCEL, Actor.platform(), null, null,
                    clock.instant()));
            if (failed instanceof OptimisticLockingFailureException) {
                throw lifecycle.staleNow(previous);
            }
            throw failed;
        }
        List<String> warnings = new ArrayList<>(outcome.warnings());
        boolean onRoute = readModels.opportunity(previous.opportunityId())
                .map(opportunity -> opportunity.leadsTo().contains(request.opportunityId())).orElse(false);
        if (!onRoute) {
            warnings.add("off-route: the catalogue lists no progression route from the completed opportunity to "
                    + "this one");
        }
        return new ReferralSubmission.Outcome(created, warnings, false);
    }

    /**
     * The same request sent again (its idempotency key) after the first stopped between writing the next referral and
     * linking it from the completed one: the link is made now, so the chain shows the step and no second next step
     * can be started beside it. A completed referral linked to another next step that is still open or completed is
     * left as it is.
     */
    private void linkIfLeftUnlinked(Referral previous, Referral replayed) {
        if (replayed.id().equals(previous.nextReferralId()) || !previous.id().equals(replayed.previousReferralId())
                || previous.status() != ReferralStatus.COMPLETED || !replayed.status().open()) {
            return;
        }
        // Linked to another next step: only one that has closed (declined, cancelled) gives way, as for a new one.
        ReferralStatus currentNext = currentNextStatus(previous);
        if (currentNext != null && (currentNext.open() || currentNext == ReferralStatus.COMPLETED)) {
            return;
        }
        previous.linkNextStep(replayed, currentNext);
        try {
            outbox.save(previous);
        } catch (OptimisticLockingFailureException raced) {
            throw lifecycle.staleNow(previous);
        }
    }

    private ReferralStatus currentNextStatus(Referral previous) {
        if (previous.nextReferralId() == null) {
            return null;
        }
        Referral next = mongo.findById(previous.nextReferralId(), Referral.class);
        return next == null ? null : next.status();
    }

    private Referral partyReferral(Caller caller, String id) {
        Referral referral = mongo.findById(id, Referral.class);
        if (referral == null || !referral.isPartyTo(caller.agencyId())) {
            throw ProblemException.notFound("referral", id);
        }
        return referral;
    }

    private static Referral completed(Referral referral) {
        if (referral.status() != ReferralStatus.COMPLETED) {
            throw ProblemException.conflict("not-completed",
                    "Next steps follow a completed referral; this one is " + referral.status() + ".",
                    Map.of("status", referral.status()));
        }
        return referral;
    }
}
