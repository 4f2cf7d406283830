package org.pathways.referral.erasure;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Optional;

import org.pathways.events.learner.LearnerErased;
import org.pathways.messaging.inbox.ErasedLearners;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.referral.archive.ReferralArchive;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.readmodel.ConsentView;
import org.pathways.referral.readmodel.ErasureListener;
import org.pathways.referral.readmodel.LearnerReferrals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Honours a learner's right to erasure ({@code learner.erased}): every referral of the learner loses its personal
 * data ({@link Referral#erase}) and is marked erased, keeping what is pseudonymous and counted (ids, statuses,
 * dates, reason codes), so inboxes, SLA figures and the chain still add up. The learner's consents are gone with
 * their profile, so the consent read model records them as withdrawn: no new referral (nor a re-routing, a next
 * step or a resume) can be made for an erased learner. Open referrals keep their status: the receiving agency may
 * still close the loop, pseudonymously.
 *
 * <p>Idempotent: a referral already erased is not written again (only the notes and history that moved out of it are
 * scrubbed again, which a delivery stopped midway may have left), and the outbox write is guarded by the version (a
 * race with a transition is retried), so a redelivered erasure changes nothing else. No event is published: referral
 * events never carried personal data.
 */
@Component
public class LearnerErasure implements ErasureListener {

    private static final Logger log = LoggerFactory.getLogger(LearnerErasure.class);
    private static final int ATTEMPTS = 5;

    private final Outbox outbox;
    private final MongoTemplate mongo;
    private final ErasedLearners tombstones;
    private final ReferralArchive archive;
    private final LearnerReferrals learners;

    LearnerErasure(Outbox outbox, MongoTemplate mongo, ErasedLearners tombstones, ReferralArchive archive,
                   LearnerReferrals learners) {
        this.outbox = outbox;
        this.learners = learners;
        this.mongo = mongo;
        this.tombstones = tombstones;
        this.archive = archive;
    }

    @Override
    public void erased(LearnerErased erased) {
        // First the tombstone (the inbox wrote it already; idempotent), then the sweep: a referral inserted after the
        // sweep looked finds the tombstone.
        tombstones.record(erased.learnerId(), erased.erasedAt());
        // The learner's consents and referrals, found through the learner's document and written and read by _id
        // (see LearnerReferrals); a consent withdrawn earlier keeps its earlier time ($min).
        Set<String> consents = learners.consentIds(erased.learnerId());
        if (!consents.isEmpty()) {
            mongo.updateMulti(Query.query(Criteria.where("_id").in(consents)),
                    new Update().min("withdrawnAt", erased.erasedAt()), ConsentView.class);
        }
        // Referrals erased already too: a delivery stopped between a referral's erased write and the scrub of the
        // notes and history that moved out of it is finished by the next (erase() scrubs those again).
        List<String> ids = learners.byIds(learners.referralIds(erased.learnerId()), Referral.class).stream()
                .filter(referral -> erased.learnerId().equals(referral.learnerId()))
                .map(Referral::id).toList();
        int count = 0;
        for (String id : ids) {
            if (erase(id, erased.erasedAt())) {
                count++;
            }
        }
        log.info("Erased the learner's personal data from {} referrals", count);
    }

    /** When the learner was erased, if they were. */
    public Optional<Instant> erasedAt(String learnerId) {
        return tombstones.erasedAt(learnerId);
    }

    /**
     * Called after a new referral was written: if its learner was erased meanwhile (the erasure's sweep may have
     * looked before it existed), it is erased too.
     *
     * @return the referral as it now stands
     */
    public Referral eraseIfErasedMeanwhile(Referral written) {
        Optional<Instant> erasedAt = erasedAt(written.learnerId());
        if (erasedAt.isEmpty()) {
            return written;
        }
        erase(written.id(), erasedAt.get());
        Referral now = mongo.findById(written.id(), Referral.class);
        return now != null ? now : written;
    }

    private boolean erase(String id, Instant erasedAt) {
        for (int attempt = 1; ; attempt++) {
            Referral referral = mongo.findById(id, Referral.class);
            if (referral == null) {
                return false;
            }
            if (!referral.erase(erasedAt)) {
                archive.erase(id);   // again: a crash may have come between the referral's erasure and this
                return false;
            }
            try {
                outbox.save(referral);
                // Then the notes and history that moved out (a move racing this one checks the erasure after it).
                archive.erase(id);
                return true;
            } catch (OptimisticLockingFailureException raced) {
                if (attempt == ATTEMPTS) {
                    throw raced;   // the inbox retries the whole event; what was erased stays erased
                }
            }
        }
    }
}
