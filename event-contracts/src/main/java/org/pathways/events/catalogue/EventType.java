package org.pathways.events.catalogue;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.Topic;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LeadAssigned;
import org.pathways.events.learner.LeadEnded;
import org.pathways.events.learner.LeadHandedOver;
import org.pathways.events.learner.LearnerErased;
import org.pathways.events.learner.LearnerLinked;
import org.pathways.events.learner.LearnerMerged;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.MilestoneRecorded;
import org.pathways.events.learner.PlanStepAdded;
import org.pathways.events.learner.PlanStepChanged;
import org.pathways.events.learner.PlanStepOverdue;
import org.pathways.events.opportunity.OpportunityPlacesChanged;
import org.pathways.events.opportunity.OpportunityPublished;
import org.pathways.events.opportunity.OpportunityUpdated;
import org.pathways.events.opportunity.OpportunityWithdrawn;
import org.pathways.events.referral.ReferralAccepted;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralCompleted;
import org.pathways.events.referral.ReferralFailed;
import org.pathways.events.referral.ReferralNoteAdded;
import org.pathways.events.referral.ReferralOverdue;
import org.pathways.events.referral.ReferralPutOnHold;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralResumed;
import org.pathways.events.referral.ReferralStarted;
import org.pathways.events.referral.ReferralSubmitted;

/**
 * Every event type Pathways publishes. A type is versioned ({@code org.pathways.<aggregate>.<event>.v<n>}):
 * adding an optional field keeps the version, removing or retyping one makes a new type.
 */
public enum EventType {
    LEARNER_REGISTERED("org.pathways.learner.registered.v1", Topic.LEARNERS, LearnerRegistered.class),
    CONSENT_GRANTED("org.pathways.learner.consent-granted.v1", Topic.LEARNERS, ConsentGranted.class),
    CONSENT_WITHDRAWN("org.pathways.learner.consent-withdrawn.v1", Topic.LEARNERS, ConsentWithdrawn.class),
    MILESTONE_RECORDED("org.pathways.learner.milestone-recorded.v1", Topic.LEARNERS, MilestoneRecorded.class),
    LEARNER_ERASED("org.pathways.learner.erased.v1", Topic.LEARNERS, LearnerErased.class),
    LEARNER_MERGED("org.pathways.learner.merged.v1", Topic.LEARNERS, LearnerMerged.class),
    OPPORTUNITY_PUBLISHED("org.pathways.opportunity.published.v1", Topic.OPPORTUNITIES, OpportunityPublished.class),
    OPPORTUNITY_WITHDRAWN("org.pathways.opportunity.withdrawn.v1", Topic.OPPORTUNITIES, OpportunityWithdrawn.class),
    OPPORTUNITY_UPDATED("org.pathways.opportunity.updated.v1", Topic.OPPORTUNITIES, OpportunityUpdated.class),
    OPPORTUNITY_PLACES_CHANGED("org.pathways.opportunity.places-changed.v1", Topic.OPPORTUNITIES,
            OpportunityPlacesChanged.class),
    REFERRAL_SUBMITTED("org.pathways.referral.submitted.v1", Topic.REFERRALS, ReferralSubmitted.class),
    REFERRAL_RECEIVED("org.pathways.referral.received.v1", Topic.REFERRALS, ReferralReceived.class),
    REFERRAL_ACCEPTED("org.pathways.referral.accepted.v1", Topic.REFERRALS, ReferralAccepted.class),
    REFERRAL_REJECTED("org.pathways.referral.rejected.v1", Topic.REFERRALS, ReferralRejected.class),
    REFERRAL_STARTED("org.pathways.referral.started.v1", Topic.REFERRALS, ReferralStarted.class),
    REFERRAL_ON_HOLD("org.pathways.referral.on-hold.v1", Topic.REFERRALS, ReferralPutOnHold.class),
    REFERRAL_RESUMED("org.pathways.referral.resumed.v1", Topic.REFERRALS, ReferralResumed.class),
    REFERRAL_COMPLETED("org.pathways.referral.completed.v1", Topic.REFERRALS, ReferralCompleted.class),
    REFERRAL_FAILED("org.pathways.referral.failed.v1", Topic.REFERRALS, ReferralFailed.class),
    REFERRAL_CANCELLED("org.pathways.referral.cancelled.v1", Topic.REFERRALS, ReferralCancelled.class),
    REFERRAL_OVERDUE("org.pathways.referral.overdue.v1", Topic.REFERRALS, ReferralOverdue.class),
    REFERRAL_NOTE_ADDED("org.pathways.referral.note-added.v1", Topic.REFERRALS, ReferralNoteAdded.class),
    WEBHOOK_DELIVERED("org.pathways.delivery.webhook-delivered.v1", Topic.DELIVERIES, WebhookDelivered.class),
    WEBHOOK_PARKED("org.pathways.delivery.webhook-parked.v1", Topic.DELIVERIES, WebhookParked.class),
    AGENCY_REGISTERED("org.pathways.agency.registered.v1", Topic.AGENCIES, AgencyRegistered.class),
    AGENCY_UPDATED("org.pathways.agency.updated.v1", Topic.AGENCIES, AgencyUpdated.class),
    LEARNER_PROFILE_UPDATED("org.pathways.learner.profile-updated.v1", Topic.LEARNERS, LearnerProfileUpdated.class),
    LEARNER_LINKED("org.pathways.learner.linked.v1", Topic.LEARNERS, LearnerLinked.class),
    LEAD_ASSIGNED("org.pathways.learner.lead-assigned.v1", Topic.LEARNERS, LeadAssigned.class),
    LEAD_HANDED_OVER("org.pathways.learner.lead-handed-over.v1", Topic.LEARNERS, LeadHandedOver.class),
    LEAD_ENDED("org.pathways.learner.lead-ended.v1", Topic.LEARNERS, LeadEnded.class),
    PLAN_STEP_ADDED("org.pathways.learner.plan-step-added.v1", Topic.LEARNERS, PlanStepAdded.class),
    PLAN_STEP_CHANGED("org.pathways.learner.plan-step-changed.v1", Topic.LEARNERS, PlanStepChanged.class),
    PLAN_STEP_OVERDUE("org.pathways.learner.plan-step-overdue.v1", Topic.LEARNERS, PlanStepOverdue.class);

    private static final Map<String, EventType> BY_TYPE =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::type, Function.identity()));
    private static final Map<Class<?>, EventType> BY_CLASS =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(EventType::dataClass, Function.identity()));

    private final String type;
    private final Topic topic;
    private final Class<? extends PathwaysEvent> dataClass;

    EventType(String type, Topic topic, Class<? extends PathwaysEvent> dataClass) {
        this.type = type;
        this.topic = topic;
        this.dataClass = dataClass;
    }

    /** The CloudEvents {@code type}. */
    public String type() {
        return type;
    }

    public Topic topic() {
        return topic;
    }

    public Class<? extends PathwaysEvent> dataClass() {
        return dataClass;
    }

    /** The CloudEvents {@code dataschema}: names the JSON Schema under {@code schemas/} in this module. */
    public URI dataschema() {
        return URI.create("urn:pathways:schema:" + type);
    }

    /** Where this type's JSON Schema lives on the classpath. */
    public String schemaResource() {
        return "schemas/" + type + ".json";
    }

    public static Optional<EventType> ofType(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    /** The published type of {@code event}, looked up from its record class. */
    public static EventType of(PathwaysEvent event) {
        return of(event.getClass());
    }

    public static EventType of(Class<?> dataClass) {
        EventType eventType = BY_CLASS.get(dataClass);
        if (eventType == null) {
            throw new IllegalArgumentException(dataClass.getName() + " is not a published event type");
        }
        return eventType;
    }
}
