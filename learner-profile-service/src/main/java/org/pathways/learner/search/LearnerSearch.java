package org.pathways.learner.search;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.domain.Viewer;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.messaging.agency.AgencyKinds;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;

/**
 * Finds the learners an agency may see. The store is asked only for the records the agency has some standing with
 * (registered by it, a consent naming it or its kind, an open referral it receives), each by its own index; whether
 * it may see each one now is then decided by the one rule the profile read uses ({@link Learner#sharingWith}), so
 * an expired or withdrawn consent, or a closed referral, shows nothing.
 */
@Service
class LearnerSearch {

    /** Records read from the store at a time. */
    private static final int BATCH = 100;
    /** Records looked at for one page at most; past that the page ends short, with a cursor to go on from. */
    private static final int MAX_EXAMINED = 2_000;

    private final MongoTemplate mongo;
    private final Learners learners;
    private final AgencyKinds agencies;
    private final ReferralRelationships relationships;
    private final Clock clock;

    LearnerSearch(MongoTemplate mongo, Learners learners, AgencyKinds agencies,
                  ReferralRelationships relationships, Clock clock) {
        this.mongo = mongo;
        this.learners = learners;
        this.agencies = agencies;
        this.relationships = relationships;
        this.clock = clock;
    }

    /** One page of results, and where the next starts (null: none follows). */
    record Page(List<Access> found, SearchCursor next) {
    }

    /** Up to {@code limit} learners {@code agencyId} may see that match {@code terms}, in record-id order. */
    Page find(String agencyId, SearchTerms terms, SearchCursor after, int limit) {
        Criteria base = new Criteria().andOperator(standing(agencyId), terms.criteria(),
                Criteria.where("erasure").is(null), Criteria.where("mergedInto").is(null));
        Instant now = clock.instant();
        List<Access> found = new ArrayList<>();
        String from = after == null ? null : after.afterId();
        int examined = 0;
        while (true) {
            Criteria criteria = from == null ? base
                    : new Criteria().andOperator(base, Criteria.where("_id").gt(from));
            List<Learner> batch = mongo.find(Query.query(criteria).with(Sort.by("_id")).limit(BATCH), Learner.class);
            for (Learner learner : batch) {
                examined++;
                Viewer viewer = learners.viewer(agencyId, learner);
                Sharing sharing = learner.sharingWith(viewer, now);
                if (sharing.any() && terms.matches(learner, sharing)) {
                    found.add(new Access(learner, viewer, sharing));
                    if (found.size() > limit) {
                        return new Page(List.copyOf(found.subList(0, limit)),
                                new SearchCursor(found.get(limit - 1).learner().id()));
                    }
                }
                from = learner.id();
            }
            if (batch.size() < BATCH) {
                return new Page(List.copyOf(found), null);
            }
            if (examined >= MAX_EXAMINED) {
                return new Page(List.copyOf(found), new SearchCursor(from));
            }
        }
    }

    /** The records {@code agencyId} has some standing with; {@link Learner#sharingWith} decides the rest. */
    private Criteria standing(String agencyId) {
        List<Criteria> any = new ArrayList<>();
        any.add(Criteria.where("registeringAgencyId").is(agencyId));
        any.add(Criteria.where("consents.agencyId").is(agencyId));
        agencies.kindOf(agencyId).ifPresent(kind -> any.add(Criteria.where("consents.agencyKind").is(kind)));
        List<String> referred = relationships.learnersReceivedBy(agencyId);
        if (!referred.isEmpty()) {
            any.add(Criteria.where("_id").in(referred));
            // A referral of a record since merged into another counts for the record it was merged into.
            any.add(Criteria.where("mergedFrom.learnerId").in(referred));
        }
        return new Criteria().orOperator(any);
    }
}
