package org.pathways.referral.submission;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Future;

import io.micrometer.observation.ObservationRegistry;

import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.SharedSummary;
import org.pathways.referral.erasure.LearnerErasure;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.OpportunityView;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.pathways.referral.sla.ResponseTimes;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/** The rules of submitting a referral, checked against the local read models. */
@Service
public class ReferralSubmission {

    /** A submission and whether it was created now or is the replay of an earlier one with the same key. */
    public record Outcome(Referral referral, List<String> warnings, boolean replayed) {
    }

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ReadModelProjections readModels;
    private final ResponseTimes responseTimes;
    private final LearnerErasure erasure;
    private final Clock clock;
    private final ConcurrentReads reads;

    ReferralSubmission(Outbox outbox, MongoTemplate mongo, ReadModelProjections readModels,
                       ResponseTimes responseTimes, LearnerErasure erasure, Clock clock,
                       ObjectProvider<ObservationRegistry> observations) {
        this.reads = new ConcurrentReads(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
        this.outbox = outbox;
        this.erasure = erasure;
        this.mongo = mongo;
        this.readModels = readModels;
        this.responseTimes = responseTimes;
        this.clock = clock;
    }

    public Outcome submit(Caller caller, SubmitReferral request, String idempotencyKey) {
        return submit(caller, request, idempotencyKey, null);
    }

    /**
     * Submits a referral under every rule of submission, following on from {@code previous} when it is a next step
     * (null for a first referral).
     */
    public Outcome submit(Caller caller, SubmitReferral request, String idempotencyKey, Referral previous) {
        Instant now = clock.instant();
        String learnerId = request.learnerId();
        // Every read the rules need, started at once (none depends on another; each is by _id or a unique key): the
        // submission waits for the slowest, two round trips, instead of six one after the other (issue 14: at 50
        // referrals a second the gateway shed what the referral-service could not answer in time). The rules are
        // then checked in the same order as ever, so the same request gets the same answer.
        Future<Referral> earlier = reads.start(() -> idempotencyKey == null ? null
                : byIdempotencyKey(caller, idempotencyKey));
        Future<Boolean> registeredByCaller = reads.start(() -> readModels.registeredBy(learnerId, caller.agencyId()));
        Future<List<ConsentView>> consents = reads.start(() -> readModels.sharingConsentsInForce(learnerId, now));
        Future<Optional<Instant>> erased = reads.start(() -> erasure.erasedAt(learnerId));
        Future<Optional<OpportunityView>> course = reads.start(() -> readModels.opportunity(request.opportunityId()));

        Optional<Outcome> replayed = replayOf(ConcurrentReads.join(earlier), request, previous);
        if (replayed.isPresent()) {
            return replayed.get();
        }
        List<ConsentView> inForce = ConcurrentReads.join(consents);
        // Referring is not a way in: an agency with no standing for the learner (it did not register them and holds
        // no consent in force to share for referral) is told what it would be told of a learner that does not exist.
        if (!ConcurrentReads.join(registeredByCaller) && !readModels.referralSharingAllowed(inForce,
                caller.agencyId())) {
            throw ProblemException.notFound("learner", learnerId);
        }
        if (ConcurrentReads.join(erased).isPresent()) {
            throw ProblemException.unprocessable("learner-erased",
                    "This learner's personal data was erased at their request; they cannot be referred.");
        }
        OpportunityView opportunity = ConcurrentReads.join(course)
                .filter(OpportunityView::open)
                .orElseThrow(() -> ProblemException.unprocessable("opportunity-not-open",
                        "Opportunity " + request.opportunityId() + " is not published in the catalogue."));
        if (!readModels.referralSharingAllowed(inForce, opportunity.providerAgencyId())) {
            throw ProblemException.unprocessable("consent-required",
                    "The learner has no active consent to share a referral with " + opportunity.providerAgencyId()
                            + ". Record their consent first.");
        }
        List<String> warnings = new ArrayList<>();
        if (opportunity.full()) {
            warnings.add("opportunity-full: every place is taken; the provider may offer its waiting list");
        }
        // A next step carries its previous referral's summary unchanged (no rekeying), with when it was taken.
        SharedSummary summary = previous != null ? previous.sharedSummary()
                : request.sharedSummary();
        Instant summaryTakenAt = previous != null ? previous.sharedSummaryTakenAt() : now;
        Referral referral = Referral.submit(request.learnerId(), request.opportunityId(), caller.agencyId(),
                caller.userId(), opportunity.providerAgencyId(), request.need(), request.urgency(), summary,
                summaryTakenAt, idempotencyKey, now, responseTimes.dueDates(now),
                previous == null ? null : previous.id());
        readModels.listReferral(referral.learnerId(), referral.id());
        try {
            Referral saved = outbox.save(referral, referral.submittedEvent());
            return new Outcome(erasure.eraseIfErasedMeanwhile(saved), warnings, false);
        } catch (DuplicateKeyException duplicate) {
            replayed = replayOf(caller, request, idempotencyKey, previous);
            if (replayed.isPresent()) {
                return replayed.get();
            }
            Referral open = mongo.findOne(Query.query(Criteria.where("openKey")
                    .is(Referral.openKey(request.learnerId(), request.opportunityId()))), Referral.class);
            throw ProblemException.conflict("open-referral-exists",
                    "This learner already has an open referral to this opportunity.",
                    open != null && open.isPartyTo(caller.agencyId())
                            ? Map.of("existingReferralId", open.id()) : Map.of());
        }
    }

    /** The referral an earlier request with this {@code Idempotency-Key} created, answered again. */
    public Optional<Outcome> replayOf(Caller caller, SubmitReferral request, String idempotencyKey,
                                      Referral previous) {
        if (idempotencyKey == null) {
            return Optional.empty();
        }
        return replayOf(byIdempotencyKey(caller, idempotencyKey), request, previous);
    }

    /** The replay of {@code earlier}, the referral found under the request's key (none: empty). */
    private Optional<Outcome> replayOf(Referral earlier, SubmitReferral request, Referral previous) {
        if (earlier == null) {
            return Optional.empty();
        }
        if (!Objects.equals(earlier.previousReferralId(), previous == null ? null : previous.id())) {
            throw reused();
        }
        return Optional.of(replay(earlier, request));
    }

    private Referral byIdempotencyKey(Caller caller, String idempotencyKey) {
        return mongo.findOne(Query.query(Criteria.where("idempotencyKey")
                .is(caller.agencyId() + "|" + idempotencyKey)), Referral.class);
    }

    private Outcome replay(Referral earlier, SubmitReferral request) {
        if (!earlier.learnerId().equals(request.learnerId())
                || !earlier.opportunityId().equals(request.opportunityId())) {
            throw reused();
        }
        return new Outcome(earlier, List.of(), true);
    }

    private static ProblemException reused() {
        return new ProblemException(org.springframework.http.HttpStatus.UNPROCESSABLE_CONTENT,
                "idempotency-key-reused", "This Idempotency-Key was already used for a different referral.");
    }

    public Referral find(String id) {
        return mongo.findById(id, Referral.class);
    }
}
