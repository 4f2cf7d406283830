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
import org.pathways.events.catalogue.EventExamples;
import org.pathways.events.catalogue.EventSchemas;
import org.pathways.events.catalogue.EventType;
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
        return EventExamples.all();
    }

    @Test
    void everyEventTypeHasASampleThatConformsToItsSchema() {
        Set<EventType> covered = samples().stream().map(EventType::of).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(EventType.values());
        for (PathwaysEvent event : samples()) {
            assertThat(schemas.violations(EventType.of(event), JSON.valueToTree(event)))
                    .as(EventType.of(event).type()).isEmpty();
        }
    }

    private static PathwaysEvent sample(EventType type) {
        return samples().stream().filter(e -> EventType.of(e) == type).findFirst().orElseThrow();
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
    void aLocalityIsADistrictOrNeighbourhoodNeverAFullPostcodeInTheSchemaAndTheSharedRuleAlike() {
        ObjectNode data = JSON.valueToTree(samples().get(0));
        for (String coarse : List.of("LS6", "SW1A", "EC1A", "CF10", "E05001234", "W05000901", "HYDE-PARK", "LS6-NORTH")) {
            data.put("localityCode", coarse);
            assertThat(schemas.violations(EventType.LEARNER_REGISTERED, data)).as(coarse).isEmpty();
            assertThat(coarse).matches(org.pathways.events.learner.LocalityCode.PATTERN);
        }
        for (String fullPostcode : List.of("LS62AB", "LS6-2AB", "SW1A1AA", "SW1A-1AA", "CF101AA", "M11AE", "LS6 2AB")) {
            data.put("localityCode", fullPostcode);
            assertThat(schemas.violations(EventType.LEARNER_REGISTERED, data)).as(fullPostcode).isNotEmpty();
            assertThat(fullPostcode).doesNotMatch(org.pathways.events.learner.LocalityCode.PATTERN);
        }
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
            // The record's value is the whole CloudEvent: the envelope, this type, and its data's schema.
            if (!message.at("/payload/allOf/0/$ref").asString().equals("#/components/schemas/CloudEvent")
                    || !message.at("/payload/allOf/1/properties/type/const").asString().equals(type.type())) {
                problems.add(type.type() + " is not described as a CloudEvent of its type");
            }
            if (!message.at("/payload/allOf/1/properties/data/$ref").asString()
                    .equals("schemas/" + type.type() + ".json")) {
                problems.add(type.type() + " does not point at its schema");
            }
            if (!message.at("/headers/$ref").asString().equals("#/components/schemas/KafkaHeaders")) {
                problems.add(type.type() + " does not name the binding's headers (content-type)");
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
