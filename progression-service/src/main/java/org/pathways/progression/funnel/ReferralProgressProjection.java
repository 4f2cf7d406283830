package org.pathways.progression.funnel;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

import org.bson.Document;
import org.pathways.events.EventType;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.messaging.inbox.ReceivedEvent;
import org.pathways.progression.access.Audience;
import org.pathways.progression.events.Projection;
import org.pathways.progression.events.ProjectionChange;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Keeps one document per referral in {@value #COLLECTION}: its parties, opportunity (and that opportunity's kind),
 * its furthest funnel stage ({@code $max}), the first time it reached each stage ({@code $min}), outcome reason codes
 * and SLA breaches. Every update is commutative and idempotent, so redelivered and out-of-order events (a
 * {@code received} before its {@code submitted}, an opportunity published after the referral) give the same
 * document. No learner id is kept.
 */
@Component
public class ReferralProgressProjection implements Projection {

    public static final String COLLECTION = "referral-progress";
    static final String OPPORTUNITY_KINDS = "opportunity-kinds";
    public static final String PROJECTION = "funnel";

    private final MongoTemplate mongo;

    ReferralProgressProjection(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    @Override
    public Optional<ProjectionChange> apply(ReceivedEvent event) {
        EventType type = event.knownType().orElseThrow();
        return switch (type) {
            case REFERRAL_SUBMITTED -> {
                ReferralSubmitted submitted = event.data(ReferralSubmitted.class);
                yield record(submitted.referralId(), submitted.referringAgencyId(), submitted.receivingAgencyId(),
                        submitted.opportunityId(), FunnelStage.SUBMITTED,
                        new Update().min("submittedAt", Date.from(submitted.submittedAt())),
                        submitted.submittedAt());
            }
            case REFERRAL_RECEIVED -> transition(event, FunnelStage.RECEIVED, "received", false);
            case REFERRAL_ACCEPTED -> transition(event, FunnelStage.ACCEPTED, "accepted", false);
            case REFERRAL_STARTED -> transition(event, FunnelStage.STARTED, "started", false);
            case REFERRAL_COMPLETED -> transition(event, FunnelStage.COMPLETED, "completed", false);
            // Rejection and cancellation can happen straight after submission; failure and holds only once accepted.
            case REFERRAL_REJECTED -> transition(event, FunnelStage.SUBMITTED, "rejected", true);
            case REFERRAL_CANCELLED -> transition(event, FunnelStage.SUBMITTED, "cancelled", true);
            case REFERRAL_FAILED -> transition(event, FunnelStage.ACCEPTED, "failed", true);
            case REFERRAL_ON_HOLD -> transition(event, FunnelStage.ACCEPTED, "onHold", false);
            case REFERRAL_RESUMED -> transition(event, FunnelStage.ACCEPTED, null, false);
            case REFERRAL_OVERDUE -> {
                ReferralOverdue overdue = event.data(ReferralOverdue.class);
                yield record(overdue.referralId(), overdue.referringAgencyId(), overdue.receivingAgencyId(),
                        overdue.opportunityId(), FunnelStage.SUBMITTED,
                        new Update().set("overdue" + overdue.breach().name(), true), overdue.detectedAt());
            }
            case OPPORTUNITY_PUBLISHED -> {
                OpportunityPublished published = event.data(OpportunityPublished.class);
                yield opportunityKind(published.opportunityId(), published.kind(), published.providerAgencyId());
            }
            case OPPORTUNITY_UPDATED -> {
                OpportunityUpdated updated = event.data(OpportunityUpdated.class);
                yield opportunityKind(updated.opportunityId(), updated.kind(), updated.providerAgencyId());
            }
            default -> Optional.empty();
        };
    }

    private Optional<ProjectionChange> transition(ReceivedEvent event, FunnelStage reached, String outcome,
                                                  boolean withReason) {
        ReferralTransitioned transitioned = (ReferralTransitioned) event.data(
                event.knownType().orElseThrow().dataClass());
        Update update = new Update();
        if (outcome != null) {
            update.min(outcome + "At", Date.from(transitioned.at()));
            if (withReason && transitioned.reason() != null) {
                update.set(outcome + "Reason", transitioned.reason().name());
            }
        }
        return record(transitioned.referralId(), transitioned.referringAgencyId(), transitioned.receivingAgencyId(),
                transitioned.opportunityId(), reached, update, transitioned.at());
    }

    private Optional<ProjectionChange> record(String referralId, String referringAgencyId, String receivingAgencyId,
                                              String opportunityId, FunnelStage reached, Update update, Instant at) {
        update.set("referringAgencyId", referringAgencyId)
                .set("receivingAgencyId", receivingAgencyId)
                .set("opportunityId", opportunityId)
                .set(Audience.AGENCIES, List.copyOf(new java.util.LinkedHashSet<>(
                        List.of(referringAgencyId, receivingAgencyId))))
                .max("stage", reached.rank())
                // The cohort a referral is counted in: its submission, or the earliest of its events seen so far.
                .min("cohortAt", Date.from(at));
        Document kind = opportunityId == null ? null : mongo.findById(opportunityId, Document.class, OPPORTUNITY_KINDS);
        if (kind != null) {
            update.set("opportunityKind", kind.getString("kind"));
        }
        mongo.upsert(Query.query(Criteria.where("_id").is(referralId)), update, COLLECTION);
        return Optional.of(ProjectionChange.of(PROJECTION, referringAgencyId, receivingAgencyId));
    }

    private Optional<ProjectionChange> opportunityKind(String opportunityId, OpportunityKind kind,
                                                       String providerAgencyId) {
        if (kind == null) {
            return Optional.empty();
        }
        mongo.upsert(Query.query(Criteria.where("_id").is(opportunityId)),
                new Update().set("kind", kind.name()), OPPORTUNITY_KINDS);
        // Referrals seen before their opportunity get its kind now.
        long changed = mongo.updateMulti(Query.query(Criteria.where("opportunityId").is(opportunityId)
                        .and("opportunityKind").ne(kind.name())),
                new Update().set("opportunityKind", kind.name()), COLLECTION).getModifiedCount();
        return changed == 0 ? Optional.empty() : Optional.of(ProjectionChange.of(PROJECTION, providerAgencyId));
    }
}
