package org.pathways.referral.lifecycle;

import java.time.Clock;
import java.util.Map;

import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.archive.ReferralArchive;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.InvalidReason;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.domain.TransitionRefused;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.pathways.referral.sla.ResponseTimes;
import org.pathways.referral.web.ExpectedVersion;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.stereotype.Service;

/** Moves a referral along its lifecycle for one of its agencies; the referral decides what is legal. */
@Service
public class ReferralLifecycle {

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ReadModelProjections readModels;
    private final ResponseTimes responseTimes;
    private final Clock clock;
    private final ReferralArchive archive;

    ReferralLifecycle(Outbox outbox, MongoTemplate mongo, ReadModelProjections readModels,
                      ResponseTimes responseTimes, Clock clock, ReferralArchive archive) {
        this.outbox = outbox;
        this.mongo = mongo;
        this.readModels = readModels;
        this.responseTimes = responseTimes;
        this.clock = clock;
        this.archive = archive;
    }

    /**
     * The referral {@code id} as {@code caller} may act on it: 404 to an agency not party to it (it cannot tell
     * the referral exists), 403 to a party or coordinator who only watches, 409 when the version is stale.
     */
    public Referral referralToActOn(Caller caller, String id, ExpectedVersion version) {
        Referral referral = mongo.findById(id, Referral.class);
        if (referral == null || !(referral.isPartyTo(caller.agencyId()) || caller.has(Role.COORDINATOR))) {
            throw ProblemException.notFound("referral", id);
        }
        if (!referral.isPartyTo(caller.agencyId())
                || !(caller.has(Role.WORKER) || caller.has(Role.AGENCY_SYSTEM))) {
            throw ProblemException.forbidden("Only the workers and systems of the two agencies act on a referral.");
        }
        if (!version.matches(referral.version())) {
            throw stale(referral);
        }
        return referral;
    }

    public Referral transition(Caller caller, String id, TransitionRequest request, ExpectedVersion version) {
        Referral referral = referralToActOn(caller, id, version);
        Actor actor = Actor.of(caller, referral);
        // Whatever it was held for, a referral only resumes while the learner consents to share it: a consent
        // withdrawn during a waitlist hold must not be bypassed by resuming.
        if (request.action() == ReferralAction.RESUME
                && !readModels.referralSharingAllowed(referral.learnerId(), referral.receivingAgencyId(),
                clock.instant())) {
            throw ProblemException.unprocessable("consent-required",
                    "The learner has no active consent to share this referral with the receiving agency; it "
                            + "resumes once they consent again.");
        }
        ReferralTransitioned event;
        try {
            event = referral.perform(request.action(), actor, request.reason(), request.reasonText(),
                    clock.instant(), responseTimes.calendar());
        } catch (TransitionRefused refused) {
            throw ProblemException.conflict("illegal-transition", refused.getMessage(),
                    Map.of("status", referral.status(), "allowedActions", refused.allowed()));
        } catch (InvalidReason invalid) {
            throw ProblemException.unprocessable("invalid-reason", invalid.getMessage());
        }
        Referral saved;
        try {
            saved = outbox.save(referral, event);
        } catch (OptimisticLockingFailureException raced) {
            throw staleNow(referral);
        }
        // A referral held and resumed again and again keeps only its first and latest history in its document.
        archive.tidyAfterSave(saved);
        return saved;
    }

    /** 409 after losing a race: with the version the referral is at after the change that won. */
    public ProblemException staleNow(Referral seen) {
        Referral current = mongo.findById(seen.id(), Referral.class);
        return stale(current != null ? current : seen);
    }

    /** 409 with the version the referral is at now (which a retry may send as {@code If-Match}). */
    public static ProblemException stale(Referral referral) {
        Long current = referral.version();
        return ProblemException.conflict("stale-version",
                "Someone else changed this referral meanwhile: reload it and try again.",
                current == null ? Map.of() : Map.of("currentVersion", current, "currentETag",
                        ExpectedVersion.etag(current)));
    }
}
