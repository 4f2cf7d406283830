package org.pathways.web.page;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * Dates and times the UK way, in the page's language: "1 December 2026", "1 December 2026, 14:05" (Welsh month
 * names in Welsh), in UK time. Templates call it as {@code ${@dates.date(x)}}; it takes the API's ISO strings.
 */
@Component("dates")
public class Dates {

    public static final ZoneId UK = ZoneId.of("Europe/London");

    /** The day, in UK time: an instant just after midnight UK time in summer is that day, not the UTC day before. */
    public String date(Object value) {
        Instant instant = toInstant(value);
        LocalDate date = instant != null ? LocalDate.ofInstant(instant, UK) : toDate(value);
        return date == null ? "" : DateTimeFormatter.ofPattern("d MMMM yyyy", locale()).format(date);
    }

    public String dateTime(Object value) {
        Instant instant = toInstant(value);
        if (instant == null) {
            return date(value);
        }
        return DateTimeFormatter.ofPattern("d MMMM yyyy, HH:mm", locale()).format(instant.atZone(UK));
    }

    /** For a {@code <time datetime>} attribute. */
    public String iso(Object value) {
        return value == null ? "" : value.toString();
    }

    /** Whether an instant or date is in the past (an SLA due date that has passed). */
    public boolean passed(Object value) {
        Instant instant = toInstant(value);
        if (instant != null) {
            return instant.isBefore(Instant.now());
        }
        LocalDate date = toDate(value);
        return date != null && date.isBefore(LocalDate.now(UK));
    }

    private static Locale locale() {
        return LocaleContextHolder.getLocale();
    }

    private static LocalDate toDate(Object value) {
        if (value == null || value.toString().isBlank()) {
            return null;
        }
        String text = value.toString();
        try {
            return LocalDate.parse(text.length() >= 10 ? text.substring(0, 10) : text);
        } catch (DateTimeParseException notADate) {
            return null;
        }
    }

    private static Instant toInstant(Object value) {
        if (value == null || value.toString().length() <= 10) {
            return null;
        }
        String text = value.toString();
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException neither) {
                return null;
            }
        }
    }
}
