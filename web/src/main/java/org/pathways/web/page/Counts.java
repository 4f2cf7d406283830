package org.pathways.web.page;

import java.text.NumberFormat;

import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

/**
 * Counts as the API gives them: a number, or a suppressed small count ({@code "<5"} for 1–4, so that nobody can be
 * picked out of a small group). Templates show them with {@code ${@counts.show(x)}} ("1,234", or "<5" as given);
 * charts and sums use {@link #numeric} and leave a suppressed count out rather than guess it.
 */
@Component("counts")
public class Counts {

    /** The count for a page: grouped the UK way, or the API's suppressed text as it is; "0" for nothing. */
    public String show(Object count) {
        if (count == null) {
            return "0";
        }
        if (count instanceof Number number) {
            return NumberFormat.getIntegerInstance(LocaleContextHolder.getLocale()).format(number.longValue());
        }
        return count.toString();
    }

    /** Whether the API suppressed this count (a string such as {@code "<5"} instead of a number). */
    public boolean suppressed(Object count) {
        return count != null && !(count instanceof Number) && numeric(count) == null;
    }

    /** The count as a number, or null when the API suppressed it. */
    public static Long numeric(Object count) {
        if (count instanceof Number number) {
            return number.longValue();
        }
        if (count instanceof String text) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException suppressed) {
                return null;
            }
        }
        return count == null ? 0L : null;
    }

    /** A share (0.636) as a percentage for a page ("64%"), or an em dash where nothing reached the earlier step. */
    public String percent(Object share) {
        if (!(share instanceof Number number)) {
            return "–";
        }
        NumberFormat format = NumberFormat.getPercentInstance(LocaleContextHolder.getLocale());
        return format.format(number.doubleValue());
    }

    /** Milliseconds as a short duration for a page: "350 ms" under a second, otherwise as {@link #duration}. */
    public String millis(Object millis) {
        if (!(millis instanceof Number number)) {
            return "–";
        }
        if (number.doubleValue() < 1000) {
            return NumberFormat.getIntegerInstance(LocaleContextHolder.getLocale()).format(number.longValue())
                    + " ms";
        }
        return duration(number.doubleValue() / 1000);
    }

    /** Seconds as a short duration for a page: "45 s", "3.5 h", "2.1 d"; an em dash when unknown. */
    public String duration(Object seconds) {
        if (!(seconds instanceof Number number)) {
            return "–";
        }
        double value = number.doubleValue();
        NumberFormat format = NumberFormat.getNumberInstance(LocaleContextHolder.getLocale());
        format.setMaximumFractionDigits(1);
        if (value < 60) {
            return format.format(value) + " s";
        }
        if (value < 3600) {
            return format.format(value / 60) + " min";
        }
        if (value < 86400) {
            return format.format(value / 3600) + " h";
        }
        return format.format(value / 86400) + " d";
    }
}
