package org.pathways.events.catalogue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LeadAssigned;
import org.pathways.events.learner.LeadEndReason;
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
import org.pathways.events.learner.PlanStepStatus;
import org.pathways.events.learner.ProfileField;
import org.pathways.events.opportunity.OpportunityKind;
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
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralReceived;
import org.pathways.events.referral.ReferralRejected;
import org.pathways.events.referral.ReferralResumed;
import org.pathways.events.referral.ReferralStarted;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralSubmitted;
import org.pathways.events.referral.SlaBreach;
import org.pathways.events.referral.Urgency;

/**
 * Realistic examples of every event type, part of the published language: {@code EventContractsTest} holds each
 * against its schema, and the interoperability tests publish them to prove that standard CloudEvents clients read
 * every type. Ids and codes only, like every event.
 */
public final class EventExamples {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");

    private EventExamples() {
    }

    /** One realistic instance of every event type, as a producer would build it. */
    public static List<PathwaysEvent> all() {
        return List.of(
                new LearnerRegistered("lrn-1", "agency-college", "LS6", NOW),
                new ConsentGranted("lrn-1", "cns-1", "agency-council", ConsentPurpose.REFERRAL_SHARING, NOW, null),
                new ConsentWithdrawn("lrn-1", "cns-1", "agency-council", ConsentPurpose.REFERRAL_SHARING, NOW),
                new ConsentGranted("lrn-1", "cns-2", null, AgencyKind.COLLEGE, ConsentPurpose.OUTCOME_SHARING, NOW,
                        NOW.plusSeconds(86400)),
                new ConsentWithdrawn("lrn-1", "cns-2", null, AgencyKind.COLLEGE, ConsentPurpose.OUTCOME_SHARING, NOW),
                new AgencyRegistered("agency-college", AgencyKind.COLLEGE, AgencySector.PUBLIC, true, NOW),
                new AgencyUpdated("agency-college", AgencyKind.COLLEGE, AgencySector.PUBLIC, false, NOW),
                new OpportunityPublished("opp-1", "agency-college", OpportunityKind.FORMAL_LEARNING, "E2", 12, 0, NOW,
                        List.of("opp-2")),
                new OpportunityWithdrawn("opp-1", "agency-college", NOW),
                new OpportunityUpdated("opp-1", "agency-college", OpportunityKind.FORMAL_LEARNING, "E2", 12, 12, "FULL",
                        NOW, List.of("opp-2", "opp-3")),
                new OpportunityPlacesChanged("opp-1", "agency-college", 12, 12, true, "FULL", "ref-1", NOW),
                new ReferralSubmitted("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college", Urgency.ROUTINE,
                        NOW),
                new ReferralSubmitted("ref-2", "lrn-1", "opp-2", "agency-college", "agency-council", Urgency.SOON,
                        NOW, "ref-1"),
                new ReferralReceived("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.RECEIVED, null, "agency-college", NOW),
                new ReferralAccepted("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.ACCEPTED, null, "agency-college", NOW),
                new ReferralRejected("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.REJECTED, ReferralReason.NO_CAPACITY, "agency-college", NOW),
                new ReferralStarted("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.IN_PROGRESS, null, "agency-college", NOW),
                new ReferralPutOnHold("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.ON_HOLD, ReferralReason.CONSENT_WITHDRAWN, "agency-college", NOW),
                new ReferralResumed("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.ACCEPTED, null, "agency-college", NOW),
                new ReferralCompleted("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.COMPLETED, null, "agency-college", NOW),
                new ReferralFailed("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.FAILED, ReferralReason.LEFT_EARLY, "agency-college", NOW),
                new ReferralCancelled("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.CANCELLED, null, "agency-council", NOW),
                new ReferralOverdue("ref-1", "lrn-1", "opp-1", "agency-council", "agency-college",
                        ReferralStatus.SUBMITTED, SlaBreach.ACKNOWLEDGE, NOW, NOW),
                new ReferralNoteAdded("ref-1", "note-1", "agency-council", "agency-college", "agency-college", NOW),
                new WebhookDelivered("dlv-1", "evt-1", EventType.REFERRAL_SUBMITTED.type(), "agency-college",
                        "sub-1", 1, 204, NOW),
                new WebhookParked("dlv-1", "evt-1", EventType.REFERRAL_SUBMITTED.type(), "agency-college", "sub-1",
                        8, 503, NOW),
                new MilestoneRecorded("lrn-1", "mls-1", "ACHIEVEMENT_GAINED", LocalDate.parse("2026-11-20"),
                        "agency-college", "NON_FORMAL", "E3", false, "ref-1", "opp-1", NOW),
                new LearnerErased("lrn-1", "agency-college", NOW),
                new LearnerMerged("lrn-2", "lrn-1", "agency-college", NOW),
                new LearnerProfileUpdated("lrn-1", 3, List.of(ProfileField.CONTACT, ProfileField.GOALS), "LS6",
                        "agency-college", NOW),
                new LearnerLinked("lrn-1", "lrn-2", "agency-college", NOW),
                new LeadAssigned("lrn-1", "agency-college", "college-worker", "agency-college", NOW),
                new LeadHandedOver("lrn-1", "agency-college", "college-worker", "agency-council", "council-worker",
                        NOW),
                new LeadEnded("lrn-1", "agency-council", "council-worker", LeadEndReason.STANDING_LOST, NOW),
                new PlanStepAdded("lrn-1", "stp-1", "agency-college", PlanStepStatus.PLANNED,
                        LocalDate.parse("2026-12-15"), "ref-1", "opp-1", "agency-council", NOW),
                new PlanStepChanged("lrn-1", "stp-1", "agency-college", PlanStepStatus.DONE, PlanStepStatus.DOING,
                        null, "agency-college", NOW),
                new PlanStepOverdue("lrn-1", "stp-1", "agency-college", LocalDate.parse("2026-12-15"), NOW));
    }

    /** The first example of {@code type}. */
    public static PathwaysEvent of(EventType type) {
        return all().stream().filter(event -> EventType.of(event) == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No example of " + type.type()
                        + ": add one to EventExamples"));
    }
}
