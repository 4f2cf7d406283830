package org.pathways.notification.routing;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Learner merges ({@code org.pathways.learner.merged.v1}): the retired learner id is an alias of the surviving one.
 * A merge moves what this service keeps under the retired id (consents, the learner id of referral parties) onto the
 * survivor, and remembers the alias, so that what arrives later for the retired id lands on the survivor too and a
 * milestone of the survivor also counts anything still recorded under one of its retired ids (an event about the
 * retired id handled on another partition at the moment of the merge). Aliases are kept flat (every retired id points
 * at the learner that carries the person on now), so chains of merges resolve in one look-up. Applying a merge again
 * changes nothing. Ids only.
 */
@Component
class LearnerAliases {

    /** A retired learner id and the learner that carries the person on. */
    @Document("learner_aliases")
    record LearnerAlias(@Id String retiredLearnerId, @Indexed String survivingLearnerId, Instant mergedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(LearnerAliases.class);

    private final MongoTemplate mongo;
    private final LearnerRecords learners;

    LearnerAliases(MongoTemplate mongo, LearnerRecords learners) {
        this.mongo = mongo;
        this.learners = learners;
    }

    /** The learner that carries {@code learnerId} on: itself unless it was merged away. */
    String current(String learnerId) {
        if (learnerId == null) {
            return null;
        }
        LearnerAlias alias = mongo.findById(learnerId, LearnerAlias.class);
        return alias == null ? learnerId : alias.survivingLearnerId();
    }

    /** By learner id, the learner that carries each of {@code learnerIds} on, read in one query by {@code _id}. */
    java.util.Map<String, String> currentOf(java.util.Collection<String> learnerIds) {
        java.util.Map<String, String> current = new java.util.HashMap<>();
        learnerIds.forEach(id -> current.put(id, id));
        if (!learnerIds.isEmpty()) {
            mongo.find(Query.query(Criteria.where("_id").in(learnerIds)), LearnerAlias.class)
                    .forEach(alias -> current.put(alias.retiredLearnerId(), alias.survivingLearnerId()));
        }
        return current;
    }

    /** The learner's own id and every id merged into it (as its learner record lists them). */
    Set<String> idsOf(String learnerId) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(learnerId);
        ids.addAll(learners.of(learnerId).mergedIds());
        return ids;
    }

    /**
     * {@code retired} merged into {@code surviving}: the alias is recorded (also for the ids merged into the retired
     * one before), and the retired id's consents and referral parties move to the survivor, next to its own; the
     * agency that registered both ({@code registeringAgencyId}, null if the event names none) is kept for the survivor.
     */
    void merge(String retired, String surviving, String registeringAgencyId, Instant mergedAt) {
        String survivor = current(surviving);
        if (survivor.equals(retired)) {
            log.warn("A merge of a learner into itself (or into a record merged into it): ignored");
            return;
        }
        mongo.upsert(Query.query(Criteria.where("_id").is(retired)),
                new Update().set("survivingLearnerId", survivor).set("mergedAt", mergedAt), LearnerAlias.class);
        // What is kept under the retired id is found through its learner record, by _id.
        LearnerRecords.LearnerRecord kept = learners.of(retired);
        if (!kept.mergedIds().isEmpty()) {
            mongo.updateMulti(Query.query(Criteria.where("_id").in(kept.mergedIds())),
                    new Update().set("survivingLearnerId", survivor), LearnerAlias.class);
        }
        long consents = kept.consentIds().isEmpty() ? 0 : mongo.updateMulti(
                Query.query(Criteria.where("_id").in(kept.consentIds())), new Update().set("learnerId", survivor),
                LearnerConsent.class).getModifiedCount();
        long referrals = kept.referralIds().isEmpty() ? 0 : mongo.updateMulti(
                Query.query(Criteria.where("_id").in(kept.referralIds())), new Update().set("learnerId", survivor),
                ReferralParties.class).getModifiedCount();
        learners.fold(kept, survivor, registeringAgencyId);
        log.info("Learner merge applied: {} consents and {} referrals moved to the surviving learner", consents,
                referrals);
    }

    /** Forgets the aliases of an erased learner; returns its own id and the ids that were merged into it. */
    Set<String> forget(String learnerId) {
        Set<String> ids = idsOf(learnerId);
        mongo.remove(Query.query(Criteria.where("_id").in(ids)), LearnerAlias.class);
        return ids;
    }
}
