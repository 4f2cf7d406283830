package org.pathways.learner.consent;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.consent.ConsentDecision.Basis;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Consent;
import org.pathways.learner.domain.ConsentOrigin;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Records, withdraws and checks consents. Each change is saved with its event through the outbox, guarded by the
 * version read: two workers changing one learner at once cannot lose each other's change (the later one gets a
 * 409 and retries).
 */
@Service
public class ConsentRecords {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsentRecords.class);

    private final Learners learners;
    private final AgencyKinds agencies;
    private final AccessAudit audit;
    private final Outbox outbox;
    private static final int GRANT_ATTEMPTS = 3;

    private final Clock clock;
    private final java.util.List<ConsentWithdrawalFollowUp> followUps;

    ConsentRecords(Learners learners, AgencyKinds agencies, AccessAudit audit, Outbox outbox,
                   Clock clock, java.util.List<ConsentWithdrawalFollowUp> followUps) {
        this.learners = learners;
        this.agencies = agencies;
        this.audit = audit;
        this.outbox = outbox;
        this.clock = clock;
        this.followUps = java.util.List.copyOf(followUps);
    }

    /**
     * Only workers of the registering agency record consents; to anyone else the learner does not exist. A grant that
     * repeats a consent in force on exactly the same terms (a double click, a retry after a timeout, two at once)
     * records nothing and answers with that consent: two identical consents would leave the agency its access when
     * the learner withdrew "their consent" once.
     */
    Grant grant(Caller caller, String learnerId, RecordConsent request) {
        requireWorker(caller);
        for (int attempt = 1; ; attempt++) {
            Learner learner = learners.visibleTo(caller, learnerId);
            if (!learner.isRegisteredBy(caller.agencyId())) {
                throw ProblemException.notFound("learner", learnerId);
            }
            Instant now = clock.instant();
            // The store keeps milliseconds: a finer expiry would never equal the one kept.
            Instant expiresAt = request.expiresAt() == null ? null
                    : request.expiresAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            Optional<Consent> repeated = learner.sameGrantInForce(request.agencyId(), request.agencyKind(),
                    request.purpose(), request.method(), expiresAt, now);
            if (repeated.isPresent()) {
                return new Grant(repeated.get(), false);
            }
            ConsentGranted granted = learner.grantConsent(request.agencyId(), request.agencyKind(),
                    request.purpose(), request.method(), caller.userId(), expiresAt, now);
            try {
                return new Grant(outbox.save(learner, granted).consent(granted.consentId()).orElseThrow(), true);
            } catch (OptimisticLockingFailureException raced) {
                // Another change came first: read again (it may have been the same grant), a few times.
                if (attempt == GRANT_ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }

    /** A consent as granted: {@code recorded} when this grant recorded it, false when it repeated one in force. */
    record Grant(Consent consent, boolean recorded) {
    }

    /**
     * The learner may withdraw a consent through a worker of the registering agency or of the agency the consent
     * was given to (for a consent to a kind: of an agency of that kind); other agencies cannot see the consent.
     */
    Consent withdraw(Caller caller, String learnerId, String consentId) {
        requireWorker(caller);
        Learner learner = learners.visibleTo(caller, learnerId);
        boolean mayWithdraw = learner.consent(consentId)
                .map(consent -> learner.isRegisteredBy(caller.agencyId())
                        || consent.covers(caller.agencyId(), agencies.kindOf(caller.agencyId()).orElse(null)))
                .orElse(false);
        if (!mayWithdraw) {
            throw ProblemException.notFound("consent", consentId);
        }
        Consent consent = learner.consent(consentId).orElseThrow();
        if (consent.withdrawnAt() != null) {
            // Withdrawn already: what it stands for across a merge is withdrawn again if a stop left it in force.
            withdrawAcrossMerges(learner, consent, caller.userId());
        }
        ConsentWithdrawn withdrawn = learner.withdrawConsent(consentId, caller.userId(), clock.instant());
        Learner saved = outbox.save(learner, withdrawn);
        followUp(saved);
        Consent now = saved.consent(withdrawn.consentId()).orElseThrow();
        withdrawAcrossMerges(saved, now, caller.userId());
        return now;
    }

    /**
     * After a merge retired {@code retired}: a consent withdrawn on it while the merge ran (after the survivor took
     * its copy) is withdrawn on the survivor too.
     */
    public void carryWithdrawalsOf(Learner retired, String by) {
        for (Consent consent : retired.consents()) {
            if (consent.withdrawnAt() != null) {
                withdrawAcrossMerges(retired, consent, by);
            }
        }
    }

    private void followUp(Learner saved) {
        for (ConsentWithdrawalFollowUp followUp : followUps) {
            try {
                followUp.afterWithdrawal(saved);
            } catch (RuntimeException failed) {
                LOG.warn("A follow-up of a consent withdrawal failed ({}); its upkeep job will catch up",
                        failed.getClass().getSimpleName());
            }
        }
    }

    /**
     * A consent carried across a merge is one consent on two records ({@link ConsentOrigin}): withdrawing it on
     * either withdraws it on the other, each with its own {@code consent-withdrawn}, so that every service stops
     * counting it under either learner id. From the survivor: the consents of the records merged away it stands for;
     * from a record merged away: the survivor's consent that stands for it. Each is withdrawn once, however the
     * records chain.
     */
    private void withdrawAcrossMerges(Learner learner, Consent withdrawn, String by) {
        java.util.Deque<ConsentOrigin> pending = new java.util.ArrayDeque<>(withdrawn.standsFor());
        java.util.Set<ConsentOrigin> seen = new java.util.HashSet<>();
        seen.add(new ConsentOrigin(learner.id(), withdrawn.id()));
        pending.addAll(standingFor(learner, withdrawn.id()));
        while (!pending.isEmpty()) {
            ConsentOrigin next = pending.poll();
            if (!seen.add(next)) {
                continue;
            }
            withdrawOn(next, by).ifPresent(done -> {
                pending.addAll(done.consent().standsFor());
                pending.addAll(standingFor(done.learner(), next.consentId()));
            });
        }
    }

    /**
     * The consents of the record {@code learner} was merged into that stand for its consent {@code consentId} and
     * for no other consent still in force (one that stands for two consents of the record merged away, say, an old
     * one and its renewal, stays while the other does).
     */
    private List<ConsentOrigin> standingFor(Learner learner, String consentId) {
        if (learner.mergedInto() == null) {
            return List.of();
        }
        Instant now = clock.instant();
        ConsentOrigin withdrawn = new ConsentOrigin(learner.id(), consentId);
        return learners.stored(learner.mergedInto()).map(survivor -> survivor.consents().stream()
                .filter(consent -> consent.standsFor(learner.id(), consentId) && consent.isInForceAt(now)
                        && consent.standsFor().stream().filter(origin -> !origin.equals(withdrawn))
                        .noneMatch(origin -> inForce(origin, now)))
                .map(consent -> new ConsentOrigin(survivor.id(), consent.id())).toList()).orElse(List.of());
    }

    private boolean inForce(ConsentOrigin origin, Instant now) {
        return learners.stored(origin.learnerId()).filter(learner -> !learner.isErased())
                .flatMap(learner -> learner.consent(origin.consentId()))
                .map(consent -> consent.isInForceAt(now)).orElse(false);
    }

    /** Withdraws one consent on its record if still in force there (a few tries against races); what it now is. */
    private Optional<Withdrawn> withdrawOn(ConsentOrigin target, String by) {
        for (int attempt = 1; ; attempt++) {
            Optional<Learner> found = learners.stored(target.learnerId()).filter(learner -> !learner.isErased());
            Optional<Consent> consent = found.flatMap(learner -> learner.consent(target.consentId()));
            if (consent.isEmpty()) {
                return Optional.empty();
            }
            if (consent.get().withdrawnAt() != null) {
                return Optional.of(new Withdrawn(found.get(), consent.get()));
            }
            Learner learner = found.get();
            ConsentWithdrawn withdrawn = learner.withdrawConsent(target.consentId(), by, clock.instant());
            try {
                Learner saved = outbox.save(learner, withdrawn);
                followUp(saved);
                return Optional.of(new Withdrawn(saved, saved.consent(target.consentId()).orElseThrow()));
            } catch (OptimisticLockingFailureException raced) {
                if (attempt == GRANT_ATTEMPTS) {
                    LOG.warn("A consent carried across a merge could not be withdrawn on its other record after {} "
                            + "tries; withdrawing it again finishes it", attempt);
                    return Optional.empty();
                }
            }
        }
    }

    private record Withdrawn(Learner learner, Consent consent) {
    }

    /**
     * May {@code agencyId} use the learner's data for {@code purpose} now, and on which consent? A consent to the
     * agency itself counts first, then one to its kind, if the catalogue has told this service the agency's kind.
     * Audited as a read (the answer discloses a relationship), with the grounds on which the caller sees the learner.
     */
    ConsentDecision check(Caller caller, AccessRequest request, String learnerId, String agencyId,
                          ConsentPurpose purpose) {
        Instant now = clock.instant();
        Access access = learners.access(caller, learnerId);
        Learner learner = access.learner();
        boolean registering = learner.registeringAgencyId().equals(caller.agencyId());
        boolean itself = agencyId.equals(caller.agencyId());
        if (!registering && !itself && purpose != ConsentPurpose.REFERRAL_SHARING) {
            // The profile shows such an agency only the consents given to itself or its kind; asking about another
            // agency's would tell it what the learner agreed with others. Recorded: a probe is the registering
            // agency's to see (and fail closed like a read: no entry, no answer).
            audit.record(caller, learnerId, AccessAction.CONSENT_CHECK_REFUSED, request, access.grounds());
            throw new ProblemException(HttpStatus.FORBIDDEN, "consent-check-not-permitted",
                    "Only the agency that registered the learner may check another agency's consents. Your agency "
                            + "may check its own, and whether a referral may be sent to another agency (purpose "
                            + "REFERRAL_SHARING).");
        }
        AgencyKind kind = agencies.kindOf(agencyId).orElse(null);
        ConsentDecision decision = learner.consentFor(agencyId, kind, purpose, now)
                .map(consent -> consent.isForKind()
                        ? new ConsentDecision(true, agencyId, kind, purpose, Basis.KIND_CONSENT, consent.id(),
                        "The learner consents to " + purpose + " for every " + kind + " agency, and "
                                + agencyId + " is a " + kind + " agency.")
                        : new ConsentDecision(true, agencyId, kind, purpose, Basis.AGENCY_CONSENT, consent.id(),
                        "The learner consents to " + purpose + " for " + agencyId + "."))
                .orElseGet(() -> kind == null && learner.consents().stream().anyMatch(consent ->
                        consent.isForKind() && consent.purpose() == purpose && consent.isInForceAt(now))
                        ? new ConsentDecision(false, agencyId, null, purpose, Basis.AGENCY_KIND_UNKNOWN, null,
                        "The learner consents to " + purpose + " for agencies of some kinds, but the kind of "
                                + agencyId + " is not known here (the catalogue has not announced it).")
                        : new ConsentDecision(false, agencyId, kind, purpose, Basis.NO_CONSENT, null,
                        "No consent in force covers " + purpose + " for " + agencyId
                                + (kind == null ? "." : " or for " + kind + " agencies.")));
        audit.record(caller, learnerId, AccessAction.CHECK_CONSENT, request, access.grounds());
        if (!registering && !itself) {
            // Whether a referral may be sent there, and nothing of what allows it: not the consent, not whether it
            // names the agency or every agency of a kind (that would tell, say, of a consent to every HEALTH agency).
            decision = new ConsentDecision(decision.allowed(), agencyId, null, purpose, null, null,
                    decision.allowed() ? "A referral may be sent to " + agencyId + ": the learner agreed to share"
                            + " their referral summary with it."
                            : "The learner has not agreed to share their referral summary with " + agencyId + ".");
        }
        return decision;
    }

    private static void requireWorker(Caller caller) {
        if (!caller.has(Role.WORKER)) {
            throw ProblemException.forbidden("Only an agency's workers record or withdraw a learner's consent.");
        }
    }
}
