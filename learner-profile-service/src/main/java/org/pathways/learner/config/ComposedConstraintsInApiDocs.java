package org.pathways.learner.config;

import java.lang.annotation.Annotation;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.oas.models.media.Schema;
import jakarta.validation.Constraint;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.springdoc.core.customizers.PropertyCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets the API document show what a composed constraint (such as the profile's field rules,
 * {@code org.pathways.learner.profile.ProfileFields}) is made of, as it shows the same constraints written out:
 * swagger-core reads {@code @Size}, {@code @Pattern} and {@code @Email} only where they are written on the property
 * itself, not inside an annotation that composes them.
 */
@Component
class ComposedConstraintsInApiDocs implements PropertyCustomizer {

    @Override
    @SuppressWarnings({"rawtypes", "unchecked"})
    public Schema customize(Schema property, AnnotatedType type) {
        // Text properties only: swagger-core hands a list's items the list's own annotations too.
        if (property == null || type.getCtxAnnotations() == null || !isText(property)) {
            return property;
        }
        for (Annotation annotation : type.getCtxAnnotations()) {
            Class<? extends Annotation> rule = annotation.annotationType();
            if (!rule.isAnnotationPresent(Constraint.class) || rule.getPackageName().startsWith("jakarta.")) {
                continue;
            }
            for (Annotation part : rule.getAnnotations()) {
                apply(property, part);
            }
        }
        return property;
    }

    @SuppressWarnings("rawtypes")
    private static boolean isText(Schema property) {
        return "string".equals(property.getType())
                || (property.getTypes() != null && property.getTypes().contains("string"));
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void apply(Schema property, Annotation part) {
        if (part instanceof Size size) {
            property.setMinLength(size.min());
            property.setMaxLength(size.max());
        } else if (part instanceof Pattern pattern) {
            property.setPattern(pattern.regexp());
        } else if (part instanceof Email) {
            property.setFormat("email");
        }
    }
}
