package org.pathways.referral.consent;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.ReadModelProjections;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * An expired referral-sharing consent stops the open referrals it covered, like a withdrawal (no event announces an
 * expiry, so a scheduled check finds them). Each expired consent is handled once ({@code expiryApplied} is set
 * after its cascade; a crash in between repeats a cascade that is idempotent by state). ShedLock keeps runs from
 * overlapping across instances.
 */
@Component
public class ConsentExpiries {

    private static final int BATCH = 500;

    private final MongoTemplate mongo;
    private final ConsentWithdrawals withdrawals;
    private final ReadModelProjections readModels;
    private final Clock clock;

    ConsentExpiries(MongoTemplate mongo, ConsentWithdrawals withdrawals, ReadModelProjections readModels,
                    Clock clock) {
        this.mongo = mongo;
        this.withdrawals = withdrawals;
        this.readModels = readModels;
        this.clock = clock;
    }

    /** Void: ShedLock's proxy skips the call while another instance holds the lock. */
    @Scheduled(fixedDelayString = "${pathways.referrals.sla.check-every:PT5M}",
            initialDelayString = "${pathways.referrals.sla.check-every:PT5M}")
    @SchedulerLock(name = "referral-consent-expiry", lockAtMostFor = "PT10M")
    public void stopExpired() {
        Instant now = clock.instant();
        List<ConsentView> expired = mongo.find(Query.query(Criteria.where("purpose")
                .is(ConsentPurpose.REFERRAL_SHARING).and("expiryApplied").ne(true).and("expiresAt").lte(now)
                .and("withdrawnAt").is(null)).limit(BATCH), ConsentView.class);
        for (ConsentView consent : expired) {
            withdrawals.noLongerInForce(consent.learnerId(), consent.agencyId(), consent.agencyKind(),
                    agencyId -> readModels.referralSharingAllowed(consent.learnerId(), agencyId, now));
            mongo.updateFirst(Query.query(Criteria.where("_id").is(consent.consentId())),
                    new Update().set("expiryApplied", true), ConsentView.class);
        }
    }
}
