package org.pathways.progression.milestones;

import java.time.ZoneOffset;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bson.Document;
import org.pathways.events.EventType;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.access.Audience;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.pathways.progression.funnel.ReferralProgressProjection;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * One document per milestone ({@value #COLLECTION}, keyed by milestone id, so a repeat is a no-op): its type,
 * learning kind, the learner's locality code at the time, the opportunity (taken from its referral when the
 * milestone names only the referral) and the agencies party to it. No learner id.
 */
@Component
class MilestoneProjection implements Projection {

    static final String COLLECTION = "milestones";
    static final String PROJECTION = "milestones";

    private final MongoTemplate mongo;
    private final LearnerLocalityProjection localities;

    MilestoneProjection(MongoTemplate mongo, LearnerLocalityProjection localities) {
        this.mongo = mongo;
        this.localities = localities;
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event) {
        if (event.is(EventType.REFERRAL_SUBMITTED)) {
            ReferralSubmitted submitted = event.data(ReferralSubmitted.class);
            return backfill(submitted.referralId(), submitted.opportunityId(), submitted.referringAgencyId(),
                    submitted.receivingAgencyId());
        }
        if (event.knownType().map(type -> ReferralTransitioned.class.isAssignableFrom(type.dataClass()))
                .orElse(false)) {
            ReferralTransitioned transitioned = (ReferralTransitioned) event.data(
                    event.knownType().orElseThrow().dataClass());
            return backfill(transitioned.referralId(), transitioned.opportunityId(),
                    transitioned.referringAgencyId(), transitioned.receivingAgencyId());
        }
        if (!event.is(EventType.MILESTONE_RECORDED)) {
            return Optional.empty();
        }
        MilestoneRecorded milestone = event.data(MilestoneRecorded.class);
        Set<String> agencies = new LinkedHashSet<>();
        agencies.add(milestone.recordedByAgencyId());
        String opportunityId = milestone.opportunityId();
        if (milestone.referralId() != null) {
            Document referral = mongo.findById(milestone.referralId(), Document.class,
                    ReferralProgressProjection.COLLECTION);
            if (referral != null) {
                agencies.addAll(referral.getList(Audience.AGENCIES, String.class, List.of()));
                opportunityId = opportunityId != null ? opportunityId : referral.getString("opportunityId");
            }
        }
        agencies.remove(null);
        Update update = new Update()
                .set("milestone", milestone.milestone())
                .set("learningKind", milestone.learningKind())
                .set("opportunityId", opportunityId)
                .set("referralId", milestone.referralId())
                .set("recordedByAgencyId", milestone.recordedByAgencyId())
                .set(Audience.AGENCIES, List.copyOf(agencies))
                .set("occurredOn", Date.from(milestone.occurredOn().atStartOfDay(ZoneOffset.UTC).toInstant()));
        // The locality at the time it was recorded; a later move or erasure leaves counted milestones as they were.
        localities.localityOf(milestone.learnerId()).ifPresent(code -> update.setOnInsert("localityCode", code));
        mongo.upsert(Query.query(Criteria.where("_id").is(milestone.milestoneId())), update, COLLECTION);
        return Optional.of(new ProjectionChange(PROJECTION, agencies));
    }

    /**
     * A milestone can be consumed before its referral (they travel on different topics): when the referral's events
     * arrive, its milestones gain the referral's agencies and, if they named none, its opportunity.
     */
    private Optional<ProjectionChange> backfill(String referralId, String opportunityId, String referringAgencyId,
                                                String receivingAgencyId) {
        long changed = mongo.updateMulti(Query.query(Criteria.where("referralId").is(referralId)
                        .and(Audience.AGENCIES).ne(receivingAgencyId)),
                new Update().addToSet(Audience.AGENCIES).each(referringAgencyId, receivingAgencyId),
                COLLECTION).getModifiedCount();
        if (opportunityId != null) {
            changed += mongo.updateMulti(Query.query(Criteria.where("referralId").is(referralId)
                            .and("opportunityId").is(null)),
                    new Update().set("opportunityId", opportunityId), COLLECTION).getModifiedCount();
        }
        return changed == 0 ? Optional.empty()
                : Optional.of(ProjectionChange.of(PROJECTION, referringAgencyId, receivingAgencyId));
    }
}
