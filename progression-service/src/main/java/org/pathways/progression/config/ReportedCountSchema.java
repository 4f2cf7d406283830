package org.pathways.progression.config;

import java.util.List;

import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import org.pathways.progression.disclosure.ReportedCount;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Configuration;

/**
 * Tells the OpenAPI document what a {@link ReportedCount} looks like on the wire: a whole number (0, or
 * {@value ReportedCount#THRESHOLD} and more, exact) or the string {@value ReportedCount#SUPPRESSED}.
 * Without it springdoc would describe the serializer's {@code Object} as an empty object.
 */
@Configuration(proxyBeanMethods = false)
class ReportedCountSchema {

    static {
        Schema<?> number = new IntegerSchema().format("int64").minimum(java.math.BigDecimal.ZERO);
        Schema<?> suppressed = new StringSchema()._enum(List.of(ReportedCount.SUPPRESSED));
        SpringDocUtils.getConfig().replaceWithSchema(ReportedCount.class, new Schema<>()
                .oneOf(List.of(number, suppressed))
                .description("A count: 0, an exact number from " + ReportedCount.THRESHOLD
                        + ", or \"" + ReportedCount.SUPPRESSED
                        + "\" for 1 to 4 (so that no figure singles a person out)."));
    }
}
