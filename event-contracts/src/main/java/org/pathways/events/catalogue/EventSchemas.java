package org.pathways.events.catalogue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Validates event data against the JSON Schema of its type. Producers call it before an event enters the outbox,
 * so an event that breaks its contract (or carries a field the contract does not allow, such as a name) is refused
 * at the source instead of reaching another agency.
 */
public final class EventSchemas {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<EventType, Schema> schemas = new EnumMap<>(EventType.class);

    public EventSchemas() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemaRegistryConfig(
                        SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        for (EventType type : EventType.values()) {
            try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("No JSON Schema on the classpath for " + type.type());
                }
                schemas.put(type, registry.getSchema(JSON.readTree(in)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The violations of {@code data} against its type's schema; empty when it conforms. */
    public List<String> violations(EventType type, JsonNode data) {
        return schemas.get(type).validate(data).stream()
                .map(error -> error.getInstanceLocation() + ": " + error.getMessage())
                .toList();
    }

    /** Throws {@link EventContractViolation} unless {@code data} conforms to its type's schema. */
    public void requireValid(EventType type, JsonNode data) {
        List<String> violations = violations(type, data);
        if (!violations.isEmpty()) {
            throw new EventContractViolation(type, violations);
        }
    }

    /** An event that does not conform to its published contract. */
    public static final class EventContractViolation extends IllegalArgumentException {
        private final transient List<String> violations;

        public EventContractViolation(EventType type, List<String> violations) {
            super(type.type() + " breaks its schema: " + violations);
            this.violations = List.copyOf(violations);
        }

        public List<String> violations() {
            return violations;
        }
    }
}
