package org.pathways.platform.problem;

import org.pathways.platform.validation.DateRange;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.format.FormatterRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/** Registers the problem-details advice, and makes request bodies strict: an unknown field is an error. */
@AutoConfiguration
@Import({ProblemDetailsAdvice.class, ProblemMediaTypeAdvice.class})
public class ProblemDetailsAutoConfiguration {

    @Bean
    JsonMapperBuilderCustomizer strictRequestBodies() {
        // "urgency": 1 must not mean the second urgency, "capacity": 2.5 must not become 2, and a number must not
        // pass for a date: every service refuses such input instead of guessing.
        return builder -> builder
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .defaultLeniency(false)
                // "version": "0" is not a number, and "urgent": "true" is not a boolean.
                .withCoercionConfig(LogicalType.Integer,
                        c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float,
                        c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean,
                        c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
                // Years 1 to 9999 only: "+999999999-12-31" parses, then fails a store query as a 500.
                .addModule(new SimpleModule("pathways-date-range").setDeserializerModifier(DateRange.bodies()));
    }

    /** Date and time query parameters, parsed as ISO and refused outside the years 1 to 9999 ({@link DateRange}). */
    @Bean
    WebMvcConfigurer dateRangeParameters() {
        return new WebMvcConfigurer() {
            @Override
            public void addFormatters(FormatterRegistry registry) {
                DateRange.registerParameters(registry);
            }
        };
    }
}
