package org.pathways.referral.rerouting;

import java.time.Clock;
import java.time.Duration;

import org.pathways.events.referral.ReferralReason;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.erasure.LearnerErasure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Finishes re-routes a crash interrupted ({@link ReroutesInProgress} rows older than the grace period), on every
 * instance. A re-route that got as far as closing the original is complete: its row goes. One that did not is
 * undone: the successor is cancelled (reason {@code REROUTED}, with its event) and the original stays open as it was,
 * so exactly one of the two is open. The caller never got a 201 for it, and may re-route again.
 *
 * <p>Before undoing, the original is saved once unchanged (its version moves on): a re-route still in flight past
 * the grace period then fails to close it, and cancels its own successor, rather than both closing.
 */
@Component
@EnableConfigurationProperties(RerouteRecovery.Settings.class)
class RerouteRecovery {

    private static final Logger log = LoggerFactory.getLogger(RerouteRecovery.class);

    /**
     * {@code pathways.referrals.rerouting.*}
     *
     * @param grace      how long a re-route may take before it counts as interrupted
     * @param checkEvery how often each instance looks for interrupted re-routes
     */
    @ConfigurationProperties("pathways.referrals.rerouting")
    record Settings(@DefaultValue("PT1M") Duration grace, @DefaultValue("PT30S") Duration checkEvery) {
    }

    private final ReroutesInProgress inProgress;
    private final MongoTemplate mongo;
    private final Outbox outbox;
    private final LearnerErasure erasure;
    private final Clock clock;
    private final Settings settings;

    RerouteRecovery(ReroutesInProgress inProgress, MongoTemplate mongo, Outbox outbox, LearnerErasure erasure,
                    Clock clock, Settings settings) {
        this.inProgress = inProgress;
        this.mongo = mongo;
        this.outbox = outbox;
        this.erasure = erasure;
        this.clock = clock;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${pathways.referrals.rerouting.check-every:PT30S}",
            initialDelayString = "${pathways.referrals.rerouting.check-every:PT30S}")
    void recoverInterrupted() {
        recoverStartedBefore(settings.grace());
    }

    /** Completes or undoes every re-route started more than {@code age} ago; answers how many it undid. */
    int recoverStartedBefore(Duration age) {
        int undone = 0;
        for (ReroutesInProgress.InProgress reroute : inProgress.startedBefore(clock.instant().minus(age))) {
            try {
                if (recover(reroute)) {
                    undone++;
                }
            } catch (OptimisticLockingFailureException moved) {
                log.debug("Re-route to {} changed while recovering it; next round", reroute.nextId());
            }
        }
        return undone;
    }

    private boolean recover(ReroutesInProgress.InProgress reroute) {
        Referral next = mongo.findById(reroute.nextId(), Referral.class);
        Referral original = mongo.findById(reroute.originalId(), Referral.class);
        if (next == null || original == null || reroute.nextId().equals(original.nextReferralId())) {
            // Interrupted before the successor existed, or after the original was closed: nothing half done.
            inProgress.finished(reroute.nextId());
            return false;
        }
        outbox.save(original);   // fences a re-route still in flight: it can no longer close the original
        if (next.status().open()) {
            outbox.save(next, next.perform(ReferralAction.CANCEL, Actor.platform(), ReferralReason.REROUTED, null,
                    clock.instant()));
            erasure.eraseIfErasedMeanwhile(next);
        }
        inProgress.finished(reroute.nextId());
        log.info("Undid an interrupted re-route: the successor {} is cancelled, {} stays open", next.id(),
                original.id());
        return true;
    }
}
