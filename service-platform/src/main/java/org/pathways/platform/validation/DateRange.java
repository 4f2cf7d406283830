package org.pathways.platform.validation;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Set;

import org.springframework.format.FormatterRegistry;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;

/**
 * The dates the platform takes in: years 1 to 9999. {@code java.time} parses far beyond that (year ±999,999,999),
 * and such a value then fails deep inside a store query or a conversion to {@code java.util.Date}, as a {@code 500}
 * that the gateway's circuit breaker counts against the whole route. No person, plan or consent needs a date outside
 * these years, so it is refused where it comes in: a request body's field ({@link #bodies()}, a {@code 400} naming
 * the field) or a query parameter (the {@code Formatter}s this package registers, a {@code 400} naming the
 * parameter).
 */
public final class DateRange {

    /** The first instant taken in. */
    public static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    /** The last instant taken in. */
    public static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    /** What a refusal says. */
    public static final String MESSAGE = "must be a date between the years 1 and 9999";

    private static final Set<Class<?>> BOUNDED = Set.of(Instant.class, LocalDate.class, LocalDateTime.class,
            OffsetDateTime.class, ZonedDateTime.class);

    private DateRange() {
    }

    /** Whether {@code value} (any object; only dates and times are checked) lies within the years taken in. */
    public static boolean within(Object value) {
        Instant instant = switch (value) {
            case Instant at -> at;
            case LocalDate date -> date.atStartOfDay().toInstant(ZoneOffset.UTC);
            case LocalDateTime time -> time.toInstant(ZoneOffset.UTC);
            case OffsetDateTime time -> time.toInstant();
            case ZonedDateTime time -> time.toInstant();
            case null, default -> null;
        };
        return instant == null || !instant.isBefore(FIRST) && !instant.isAfter(LAST);
    }

    /**
     * Query parameters: an ISO instant ({@code 2026-12-04T10:15:30Z}) or date ({@code 2026-12-04}) as the services'
     * own formats read them (every date parameter is ISO), refused outside the years taken in. Registered for every
     * service's MVC conversions, after Spring's own, so these are the ones used.
     */
    public static void registerParameters(FormatterRegistry registry) {
        registry.addConverter(String.class, Instant.class, text -> text == null || text.isBlank() ? null
                : checked(Instant.parse(text.trim())));
        registry.addConverter(String.class, LocalDate.class, text -> text == null || text.isBlank() ? null
                : checked(LocalDate.parse(text.trim())));
    }

    private static <T> T checked(T value) {
        if (!within(value)) {
            throw new IllegalArgumentException(MESSAGE);
        }
        return value;
    }

    /** For the services' JSON mapper: every date or time field of a request body is checked after it is parsed. */
    public static ValueDeserializerModifier bodies() {
        return new ValueDeserializerModifier() {
            @Override
            public ValueDeserializer<?> modifyDeserializer(DeserializationConfig config,
                    BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
                return BOUNDED.contains(description.getBeanClass()) ? new Bounded(deserializer) : deserializer;
            }
        };
    }

    private static final class Bounded extends DelegatingDeserializer {

        Bounded(ValueDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new Bounded(delegate);
        }

        @Override
        public Object deserialize(JsonParser parser, DeserializationContext context) {
            Object value = super.deserialize(parser, context);
            if (!within(value)) {
                return context.reportInputMismatch(this, MESSAGE);
            }
            return value;
        }
    }
}
