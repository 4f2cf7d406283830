package org.pathways.referral.sla;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import net.javacrumbs.shedlock.spring.annotation.SchedulerLock;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.SlaBreach;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.referral.domain.Referral;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Raises {@code referral.overdue} once per breach: when a referral is still unacknowledged after the acknowledge
 * time, and still undecided after the decide time. The breach is recorded on the referral in the same write as its
 * event, so the next run (on any instance) does not raise it again; ShedLock keeps runs from overlapping.
 */
@Component
public class OverdueReferrals {

    private static final Logger log = LoggerFactory.getLogger(OverdueReferrals.class);
    private static final int BATCH = 500;

    /** Overdue breaches raised, tagged {@code breach} (ACKNOWLEDGE, DECIDE): what the operators' alert watches. */
    static final String OVERDUE_METER = "pathways.referrals.overdue";

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final Clock clock;
    private final MeterRegistry meters;

    OverdueReferrals(Outbox outbox, MongoTemplate mongo, Clock clock, ObjectProvider<MeterRegistry> meters) {
        this.outbox = outbox;
        this.mongo = mongo;
        this.clock = clock;
        this.meters = meters.getIfAvailable(SimpleMeterRegistry::new);
    }

    /** Void: ShedLock's proxy skips the call while another instance holds the lock. */
    @Scheduled(fixedDelayString = "${pathways.referrals.sla.check-every:PT5M}",
            initialDelayString = "${pathways.referrals.sla.check-every:PT5M}")
    @SchedulerLock(name = "referral-sla-check", lockAtMostFor = "PT10M")
    public void raiseOverdue() {
        Instant now = clock.instant();
        Query due = Query.query(new Criteria().orOperator(
                Criteria.where("status").is(ReferralStatus.SUBMITTED).and("acknowledgeBy").lt(now)
                        .and("breachesRaised").ne(SlaBreach.ACKNOWLEDGE),
                Criteria.where("status").in(ReferralStatus.SUBMITTED, ReferralStatus.RECEIVED).and("decideBy").lt(now)
                        .and("breachesRaised").ne(SlaBreach.DECIDE))).limit(BATCH);
        int raised = 0;
        for (Referral referral : mongo.find(due, Referral.class)) {
            List<ReferralOverdue> breaches = referral.raiseOverdue(now);
            if (breaches.isEmpty()) {
                continue;
            }
            try {
                outbox.save(referral, breaches);
                raised += breaches.size();
                breaches.forEach(breach -> meters.counter(OVERDUE_METER, "breach", breach.breach().name()).increment());
            } catch (OptimisticLockingFailureException changed) {
                log.debug("Referral {} changed during the SLA check; the next run looks again", referral.id());
            }
        }
        if (raised > 0) {
            log.info("Raised {} overdue referral events", raised);
        }
    }
}
