package org.pathways.catalogue.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import tools.jackson.databind.node.JsonNodeFactory;

/** Checks {@link OpenReferralFormat} with a one-line JSON Schema {@code {"type": "string", "format": ...}}. */
public class OpenReferralFormatValidator implements ConstraintValidator<OpenReferralFormat, String> {

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(
            SpecificationVersion.DRAFT_2020_12, builder -> builder.schemaRegistryConfig(
                    SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private Schema schema;

    @Override
    public void initialize(OpenReferralFormat constraint) {
        schema = SCHEMAS.computeIfAbsent(constraint.value(), format -> REGISTRY.getSchema(
                JsonNodeFactory.instance.objectNode().put("type", "string").put("format", format)));
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        return value == null || schema.validate(JsonNodeFactory.instance.stringNode(value)).isEmpty();
    }
}
