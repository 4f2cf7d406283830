package org.pathways.referral.rerouting;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.pathways.events.referral.ReferralReason;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.domain.TransitionRefused;
import org.pathways.referral.erasure.LearnerErasure;
import org.pathways.referral.lifecycle.ReferralLifecycle;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.pathways.referral.sla.ResponseTimes;
import org.pathways.referral.web.ExpectedVersion;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Service;

/**
 * Re-routing: one of the two agencies sends an open referral on to another opportunity. The successor is a new
 * referral linked to it (previous / next), with the same learner, need and urgency and the original referrer; it
 * needs the learner's consent for its new receiving agency like any submission.
 *
 * <p>Two documents change, and the store has no multi-document transaction, so a re-route is a saga: a row in
 * {@link ReroutesInProgress} first, then the successor is inserted (a duplicate open referral fails before any
 * referral is written), then the original is closed under its version, then the row goes. If closing loses a race,
 * the successor is cancelled again at once, with its event. If the process dies between the writes, the row stays,
 * and {@link RerouteRecovery} completes or undoes the re-route after its grace period: never two open referrals
 * for long, never none.
 */
@Service
class Rerouting {

    private static final int MAX_CHAIN = 50;

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ReferralLifecycle lifecycle;
    private final ReadModelProjections readModels;
    private final ResponseTimes responseTimes;
    private final LearnerErasure erasure;
    private final Clock clock;
    private final ReroutesInProgress inProgress;
    private final RerouteCheckpoint checkpoint;

    Rerouting(Outbox outbox, MongoTemplate mongo, ReferralLifecycle lifecycle, ReadModelProjections readModels,
              ResponseTimes responseTimes, LearnerErasure erasure, Clock clock, ReroutesInProgress inProgress,
              ObjectProvider<RerouteCheckpoint> checkpoint) {
        this.outbox = outbox;
        this.inProgress = inProgress;
        this.checkpoint = checkpoint.getIfAvailable(() -> RerouteCheckpoint.NONE);
        this.erasure = erasure;
        this.mongo = mongo;
        this.lifecycle = lifecycle;
        this.readModels = readModels;
        this.responseTimes = responseTimes;
        this.clock = clock;
    }

    Referral reroute(Caller caller, String id, RerouteReferral request, ExpectedVersion version) {
        Referral original = lifecycle.referralToActOn(caller, id, version);
        if (original.erased()) {
            throw ProblemException.unprocessable("learner-erased",
                    "This learner's personal data was erased at their request; close this referral instead.");
        }
        Instant now = clock.instant();
        // Sending the learner on is referring them: the caller's agency needs standing of its own.
        if (!readModels.mayRefer(original.learnerId(), caller.agencyId(), now)) {
            throw ProblemException.notFound("learner", original.learnerId());
        }
        OpportunityView opportunity = readModels.opportunity(request.opportunityId())
                .filter(OpportunityView::open)
                .orElseThrow(() -> ProblemException.unprocessable("opportunity-not-open",
                        "Opportunity " + request.opportunityId() + " is not published in the catalogue."));
        if (!readModels.referralSharingAllowed(original.learnerId(), opportunity.providerAgencyId(), now)) {
            throw ProblemException.unprocessable("consent-required",
                    "The learner has no active consent to share a referral with " + opportunity.providerAgencyId()
                            + ". Record their consent first.");
        }
        Referral.Rerouting rerouting;
        try {
            rerouting = original.reroute(Actor.of(caller, original), request.opportunityId(),
                    opportunity.providerAgencyId(), request.reasonText(), now, responseTimes.dueDates(now),
                    original.referringAgencyId().equals(caller.agencyId())
                            || readModels.mayRefer(original.learnerId(), original.referringAgencyId(), now));
        } catch (TransitionRefused refused) {
            throw ProblemException.conflict("illegal-transition", refused.getMessage(),
                    Map.of("status", original.status(), "allowedActions", refused.allowed()));
        }
        Referral next;
        inProgress.begin(original.id(), rerouting.next().id(), now);
        readModels.listReferral(rerouting.next().learnerId(), rerouting.next().id());
        try {
            next = outbox.save(rerouting.next(), rerouting.next().submittedEvent());
        } catch (DuplicateKeyException duplicate) {
            inProgress.finished(rerouting.next().id());
            throw ProblemException.conflict("open-referral-exists",
                    "This learner already has an open referral to that opportunity.", Map.of());
        }
        checkpoint.successorWritten(original.id(), next.id());
        try {
            outbox.save(rerouting.closed(), rerouting.closedEvent());
        } catch (RuntimeException failed) {
            // Whatever stopped the original from closing, the new referral must not stay open beside it.
            outbox.save(next, next.perform(ReferralAction.CANCEL, Actor.platform(), ReferralReason.REROUTED, null,
                    clock.instant()));
            erasure.eraseIfErasedMeanwhile(next);
            inProgress.finished(next.id());
            if (failed instanceof OptimisticLockingFailureException) {
                throw lifecycle.staleNow(original);
            }
            throw failed;
        }
        inProgress.finished(next.id());
        return erasure.eraseIfErasedMeanwhile(next);
    }

    /**
     * The person's journey through this referral: the referrals linked to it, first to last. An agency sees only the
     * links it is party to (the journey goes on through the others, which it is not shown: where the person went
     * next with other agencies is theirs); a coordinator sees every link.
     */
    List<ChainLink> chain(Caller caller, String id) {
        Referral referral = mongo.findById(id, Referral.class);
        if (referral == null || !(referral.isPartyTo(caller.agencyId()) || caller.has(Role.COORDINATOR))) {
            throw ProblemException.notFound("referral", id);
        }
        Predicate<Referral> shown = caller.has(Role.COORDINATOR) ? link -> true
                : link -> link.isPartyTo(caller.agencyId());
        Deque<ChainLink> chain = new ArrayDeque<>();
        chain.add(ChainLink.of(referral));
        int walked = 1;
        for (Referral at = referral; at.previousReferralId() != null && walked < MAX_CHAIN; walked++) {
            at = mongo.findById(at.previousReferralId(), Referral.class);
            if (at == null) {
                break;
            }
            if (shown.test(at)) {
                chain.addFirst(ChainLink.of(at));
            }
        }
        for (Referral at = referral; at.nextReferralId() != null && walked < MAX_CHAIN; walked++) {
            at = mongo.findById(at.nextReferralId(), Referral.class);
            if (at == null) {
                break;
            }
            if (shown.test(at)) {
                chain.addLast(ChainLink.of(at));
            }
        }
        // A link names the referrals before and after it only when they are shown too.
        java.util.Set<String> shownIds = new java.util.HashSet<>();
        chain.forEach(link -> shownIds.add(link.id()));
        return chain.stream().map(link -> link.naming(shownIds)).toList();
    }
}
