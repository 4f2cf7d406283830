package org.pathways.notification.routing;

import java.util.Optional;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * The two agencies of a referral, remembered from its events for a later event that does not name them, and its
 * learner (an id), so that a milestone shared with an agency kind reaches the agencies of that kind party to one of
 * the learner's referrals. The learner id is removed when the learner is erased.
 */
@Document("referral_parties")
record ReferralParties(@Id String referralId, @Indexed String learnerId, String referringAgencyId,
                       String receivingAgencyId) {

    static Optional<ReferralParties> of(String referralId, String learnerId, String referring, String receiving) {
        return referralId != null && referring != null && receiving != null
                ? Optional.of(new ReferralParties(referralId, learnerId, referring, receiving)) : Optional.empty();
    }

    /** Records the parties; a learner id once known is kept when a later event does not name it. */
    void saveTo(MongoTemplate mongo) {
        mongo.upsert(Query.query(Criteria.where("_id").is(referralId)), update(), ReferralParties.class);
    }

    /** Records the parties of several referrals in one bulk write, as {@link #saveTo} does each. */
    static void saveAll(MongoTemplate mongo, java.util.Collection<ReferralParties> parties) {
        if (parties.isEmpty()) {
            return;
        }
        var writes = mongo.bulkOps(org.springframework.data.mongodb.core.BulkOperations.BulkMode.UNORDERED,
                ReferralParties.class);
        parties.forEach(known -> writes.upsert(Query.query(Criteria.where("_id").is(known.referralId())),
                known.update()));
        writes.execute();
    }

    /** The same parties with the learner id a later event did not name kept from {@code earlier}. */
    ReferralParties after(ReferralParties earlier) {
        return learnerId != null || earlier == null ? this
                : new ReferralParties(referralId, earlier.learnerId(), referringAgencyId, receivingAgencyId);
    }

    private Update update() {
        Update update = new Update().set("referringAgencyId", referringAgencyId)
                .set("receivingAgencyId", receivingAgencyId);
        if (learnerId != null) {
            update.set("learnerId", learnerId);
        }
        return update;
    }
}
