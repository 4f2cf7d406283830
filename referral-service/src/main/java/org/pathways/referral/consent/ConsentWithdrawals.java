package org.pathways.referral.consent;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.store.Migrations;
import org.pathways.referral.config.ReferralProperties;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.readmodel.ConsentListener;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.LearnerReferrals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * When a learner's consent to share referrals stops counting (withdrawn, or expired), the open referrals it covered
 * stop: each is put on hold or cancelled ({@code pathways.referrals.on-consent-withdrawn}), with its own event
 * (reason CONSENT_WITHDRAWN) so that the receiving agency is told. A consent covers one agency, or every agency of a
 * kind (as the agency read model knows them); a referral another active consent still covers is left alone.
 * A referral the receiving agency holds itself (its waiting list) is held again, for the consent: held for its own
 * reason it would still open the learner's record to that agency. Idempotent by state: a referral already held for
 * the consent (or cancelled, or closed) is left alone, so a redelivered or replayed withdrawal changes nothing.
 */
@Component
public class ConsentWithdrawals implements ConsentListener {

    private static final Logger log = LoggerFactory.getLogger(ConsentWithdrawals.class);
    private static final int ATTEMPTS = 5;
    /** The one-off review of referrals an earlier version left on an agency's hold after their consent ended. */
    static final String HELD_REFERRALS_REVIEW = "held-referrals-consent-review";

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ReferralProperties.OnConsentWithdrawn policy;
    private final Clock clock;
    private final AgencyKinds agencyKinds;
    private final LearnerReferrals learners;

    public ConsentWithdrawals(Outbox outbox, MongoTemplate mongo, ReferralProperties properties, Clock clock,
                              AgencyKinds agencyKinds, LearnerReferrals learners) {
        this.outbox = outbox;
        this.learners = learners;
        this.mongo = mongo;
        this.policy = properties.onConsentWithdrawn();
        this.clock = clock;
        this.agencyKinds = agencyKinds;
    }

    /**
     * Stops the learner's open referrals the withdrawn consent covered.
     *
     * @param stillAllowedFor whether the learner still has another active REFERRAL_SHARING consent covering an
     *                        agency (a direct one, or one for its kind)
     */
    @Override
    public void withdrawn(ConsentWithdrawn withdrawn, Predicate<String> stillAllowedFor) {
        if (withdrawn.purpose() == ConsentPurpose.REFERRAL_SHARING) {
            noLongerInForce(withdrawn.learnerId(), withdrawn.agencyId(), withdrawn.agencyKind(), stillAllowedFor);
        }
    }

    /**
     * An agency changed kind: its open referrals that relied on a consent for its former kind, and that no consent
     * (for the agency, or for its new kind) covers now, stop as if that consent were withdrawn.
     *
     * @param allowed whether a learner still has an active REFERRAL_SHARING consent covering the agency
     */
    @Override
    public void agencyKindChanged(String agencyId, Predicate<String> allowed) {
        ReferralAction action = action();
        List<Referral> open = mongo.find(Query.query(Criteria.where("receivingAgencyId").is(agencyId)
                .and("status").in(OPEN)), Referral.class);
        Map<String, Boolean> stillAllowed = new HashMap<>();   // one consent check per learner
        for (Referral referral : open) {
            if (!stillAllowed.computeIfAbsent(referral.learnerId(), allowed::test)) {
                stop(referral.id(), action);
            }
        }
    }

    private ReferralAction action() {
        return policy == ReferralProperties.OnConsentWithdrawn.CANCEL ? ReferralAction.CANCEL : ReferralAction.HOLD;
    }

    /**
     * Every open status: a referral already on hold (an agency's waitlist) is held again for the consent, so that it
     * no longer opens the learner's record to the receiving agency; one already held for it is left as it is.
     */
    private static final List<ReferralStatus> OPEN = List.of(ReferralStatus.values()).stream()
            .filter(ReferralStatus::open).toList();

    /** Held for the consent already: holding it again would change nothing. */
    private static boolean stoppedAlready(Referral referral, ReferralAction action) {
        return action == ReferralAction.HOLD && referral.status() == ReferralStatus.ON_HOLD
                && referral.holdReason() == ReferralReason.CONSENT_WITHDRAWN;
    }

    /** Stops the open referrals of the learner to the agency, or to every known agency of the kind. */
    void noLongerInForce(String learnerId, String agencyId, AgencyKind agencyKind,
                         Predicate<String> stillAllowedFor) {
        List<String> covered = agencyId != null ? List.of(agencyId) : agenciesOfKind(agencyKind);
        List<String> uncovered = covered.stream().filter(stillAllowedFor.negate()).toList();
        if (uncovered.isEmpty()) {
            return;
        }
        ReferralAction action = action();
        // The learner's referrals, found through the learner's document and read by _id (see LearnerReferrals).
        List<Referral> open = learners.byIds(learners.referralIds(learnerId), Referral.class).stream()
                .filter(referral -> learnerId.equals(referral.learnerId())
                        && uncovered.contains(referral.receivingAgencyId()) && OPEN.contains(referral.status()))
                .toList();
        for (Referral referral : open) {
            stop(referral.id(), action);
        }
    }

    /**
     * At start-up, beside it: a referral its receiving agency put on hold itself before the learner's consent for it
     * stopped counting was left on hold for the agency's reason (before referrals on hold were held again for the
     * consent), still opening the learner's record to that agency. Each such referral is stopped as a withdrawal
     * stops it now, on positive evidence only: a referral-sharing consent that covered the agency has been withdrawn
     * or has expired, and none in force covers it now (a consent read model still being filled holds nothing).
     * Idempotent, and every instance may run it: each stop is fenced on the referral's version. Done once per store
     * ({@link Migrations}): from this version on a withdrawal holds such referrals itself.
     *
     * @return how many referrals were stopped
     */
    public int stopHeldReferralsWithoutConsent() {
        Instant now = clock.instant();
        int stopped = 0;
        ReferralAction action = action();
        for (Referral held : mongo.find(Query.query(Criteria.where("status").is(ReferralStatus.ON_HOLD)),
                Referral.class)) {
            if (held.holdReason() == ReferralReason.CONSENT_WITHDRAWN) {
                continue;
            }
            AgencyKind kind = agencyKinds.kindOf(held.receivingAgencyId()).orElse(null);
            List<ConsentView> covering = learners.byIds(learners.consentIds(held.learnerId()), ConsentView.class)
                    .stream()
                    .filter(consent -> consent.purpose() == ConsentPurpose.REFERRAL_SHARING
                            && held.learnerId().equals(consent.learnerId()) && consent.grantedAt() != null
                            && consent.covers(held.receivingAgencyId(), kind))
                    .toList();
            if (covering.stream().noneMatch(consent -> consent.allowsAt(now)) && !covering.isEmpty()) {
                stop(held.id(), action);
                stopped++;
            }
        }
        return stopped;
    }

    @EventListener(ApplicationReadyEvent.class)
    void reviewHeldReferralsOnce() {
        Thread.ofVirtual().name("held-referrals-consent-review").start(() -> {
            try {
                new Migrations(mongo, LearnerReferrals.MIGRATIONS, clock).once(HELD_REFERRALS_REVIEW, () -> {
                    int stopped = stopHeldReferralsWithoutConsent();
                    if (stopped > 0) {
                        log.info("Stopped {} referrals on hold whose learner's consent had stopped counting",
                                stopped);
                    }
                });
            } catch (RuntimeException failure) {
                log.warn("Could not review the referrals on hold at start-up ({}); the next start tries again",
                        failure.getClass().getSimpleName());
            }
        });
    }

    private List<String> agenciesOfKind(AgencyKind kind) {
        if (kind == null) {
            return List.of();
        }
        return agencyKinds.agenciesOfKind(kind);
    }

    private void stop(String referralId, ReferralAction action) {
        for (int attempt = 1; ; attempt++) {
            Referral referral = mongo.findById(referralId, Referral.class);
            if (referral == null || !OPEN.contains(referral.status()) || stoppedAlready(referral, action)) {
                return;
            }
            Instant now = clock.instant();
            try {
                outbox.save(referral, referral.perform(action, Actor.platform(), ReferralReason.CONSENT_WITHDRAWN,
                        null, now));
                log.info("Referral {} {} after consent stopped counting", referralId, referral.status());
                return;
            } catch (OptimisticLockingFailureException raced) {
                if (attempt == ATTEMPTS) {
                    throw raced;   // the inbox retries the whole event; what was already stopped stays stopped
                }
            }
        }
    }
}
