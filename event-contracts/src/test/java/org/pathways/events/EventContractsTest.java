package org.pathways.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pathways.events.delivery.WebhookDelivered;
import org.pathways.events.delivery.WebhookParked;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencyRegistered;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.agency.AgencyUpdated;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

class EventContractsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");
    private final EventSchemas schemas = new EventSchemas();

    /** One realistic instance of every event type, as a producer would build it. */
    static List<PathwaysEvent> samples() {
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
                new MilestoneRecorded("lrn-1", "mls-1", "ACHIEVEMENT_GAINED", java.time.LocalDate.parse("2026-11-20"),
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
                        java.time.LocalDate.parse("2026-12-15"), "ref-1", "opp-1", "agency-council", NOW),
                new PlanStepChanged("lrn-1", "stp-1", "agency-college", PlanStepStatus.DONE, PlanStepStatus.DOING,
                        null, "agency-college", NOW),
                new PlanStepOverdue("lrn-1", "stp-1", "agency-college", java.time.LocalDate.parse("2026-12-15"),
                        NOW));
    }

    @Test
    void everyEventTypeHasASampleThatConformsToItsSchema() {
        Set<EventType> covered = samples().stream().map(PathwaysEvent::publishedType).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(EventType.values());
        for (PathwaysEvent event : samples()) {
            assertThat(schemas.violations(event.publishedType(), JSON.valueToTree(event)))
                    .as(event.publishedType().type()).isEmpty();
        }
    }

    private static PathwaysEvent sample(EventType type) {
        return samples().stream().filter(e -> e.publishedType() == type).findFirst().orElseThrow();
    }

    @Test
    void aConsentNamesExactlyOneAgencyOrOneAgencyKind() {
        ObjectNode both = JSON.valueToTree(sample(EventType.CONSENT_GRANTED));
        both.put("agencyKind", "COLLEGE");
        assertThat(schemas.violations(EventType.CONSENT_GRANTED, both)).isNotEmpty();
        ObjectNode neither = JSON.valueToTree(sample(EventType.CONSENT_GRANTED));
        neither.putNull("agencyId");
        assertThat(schemas.violations(EventType.CONSENT_GRANTED, neither)).isNotEmpty();
        neither.put("agencyKind", "NOT_A_KIND");
        assertThat(schemas.violations(EventType.CONSENT_GRANTED, neither)).isNotEmpty();
        neither.put("agencyKind", "HOUSING");
        assertThat(schemas.violations(EventType.CONSENT_GRANTED, neither)).isEmpty();
    }

    @Test
    void aTeamEventCarriesIdsAndCodesOnlyNeverAStepTitleOrAWorkerName() {
        ObjectNode titled = JSON.valueToTree(sample(EventType.PLAN_STEP_ADDED));
        titled.put("title", "Book the housing appointment");
        assertThat(schemas.violations(EventType.PLAN_STEP_ADDED, titled)).isNotEmpty();
        ObjectNode named = JSON.valueToTree(sample(EventType.LEAD_ASSIGNED));
        named.put("workerId", "Sam Jones");
        assertThat(schemas.violations(EventType.LEAD_ASSIGNED, named)).isNotEmpty();
        ObjectNode badStatus = JSON.valueToTree(sample(EventType.PLAN_STEP_CHANGED));
        badStatus.put("status", "FINISHED");
        assertThat(schemas.violations(EventType.PLAN_STEP_CHANGED, badStatus)).isNotEmpty();
        ObjectNode badReason = JSON.valueToTree(sample(EventType.LEAD_ENDED));
        badReason.put("reason", "FIRED");
        assertThat(schemas.violations(EventType.LEAD_ENDED, badReason)).isNotEmpty();
        ObjectNode noDueDate = JSON.valueToTree(sample(EventType.PLAN_STEP_OVERDUE));
        noDueDate.remove("dueOn");
        assertThat(schemas.violations(EventType.PLAN_STEP_OVERDUE, noDueDate)).isNotEmpty();
    }

    @Test
    void aFieldTheContractDoesNotAllowIsRefused() {
        ObjectNode data = JSON.valueToTree(samples().get(0));
        data.put("familyName", "Okafor");
        assertThatThrownBy(() -> schemas.requireValid(EventType.LEARNER_REGISTERED, data))
                .isInstanceOf(EventSchemas.EventContractViolation.class)
                .hasMessageContaining("familyName");
    }

    @Test
    void anIdThatLooksLikeAnEmailOrANameIsRefused() {
        ObjectNode data = JSON.valueToTree(samples().get(0));
        data.put("learnerId", "amina.okafor@example.org");
        assertThat(schemas.violations(EventType.LEARNER_REGISTERED, data)).isNotEmpty();
        data.put("learnerId", "Amina Okafor");
        assertThat(schemas.violations(EventType.LEARNER_REGISTERED, data)).isNotEmpty();
    }

    @Test
    void aMissingRequiredFieldOrABadTimestampIsRefused() {
        ObjectNode data = JSON.valueToTree(sample(EventType.REFERRAL_SUBMITTED));
        data.remove("receivingAgencyId");
        assertThat(schemas.violations(EventType.REFERRAL_SUBMITTED, data)).isNotEmpty();
        ObjectNode badTime = JSON.valueToTree(sample(EventType.REFERRAL_SUBMITTED));
        badTime.put("submittedAt", "yesterday");
        assertThat(schemas.violations(EventType.REFERRAL_SUBMITTED, badTime)).isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void typesAreVersionedAndNamedForTheirAggregate(EventType type) {
        assertThat(type.type()).matches("org\\.pathways\\.[a-z]+\\.[a-z-]+\\.v[0-9]+");
        String aggregate = type.type().split("\\.")[2];
        assertThat(type.topic().topicName()).startsWith("pathways." + aggregate.substring(0, 4));
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaFieldsMatchTheRecordComponentsExactly(EventType type) throws Exception {
        JsonNode schema;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(type.schemaResource())) {
            schema = JSON.readTree(in);
        }
        Set<String> schemaFields = new java.util.TreeSet<>(schema.get("properties").propertyNames());
        Set<String> recordFields = Stream.of(type.dataClass().getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        assertThat(schemaFields).isEqualTo(recordFields);
        assertThat(schema.get("$id").asString()).isEqualTo(type.dataschema().toString());
    }

    @Test
    void theAsyncApiDocumentListsEveryTypeOnItsTopic() throws Exception {
        JsonNode doc;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("asyncapi.yaml")) {
            doc = YAMLMapper.builder().build().readTree(in);
        }
        assertThat(doc.get("asyncapi").asString()).startsWith("3.");
        List<String> problems = new ArrayList<>();
        for (EventType type : EventType.values()) {
            JsonNode message = doc.at("/components/messages/" + type.dataClass().getSimpleName());
            if (message.isMissingNode() || !type.type().equals(message.get("name").asString())) {
                problems.add(type.type() + " has no message");
                continue;
            }
            if (!message.at("/payload/$ref").asString().equals("schemas/" + type.type() + ".json")) {
                problems.add(type.type() + " does not point at its schema");
            }
            boolean onItsTopic = false;
            for (Map.Entry<String, JsonNode> channel : doc.get("channels").properties()) {
                if (channel.getValue().get("address").asString().equals(type.topic().topicName())
                        && channel.getValue().at("/messages/" + type.dataClass().getSimpleName()).isObject()) {
                    onItsTopic = true;
                }
            }
            if (!onItsTopic) {
                problems.add(type.type() + " is not on channel " + type.topic().topicName());
            }
        }
        assertThat(problems).isEmpty();
    }
}
