package org.pathways.web.dashboard;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

import org.pathways.web.page.Counts;

/**
 * Counts on the dashboard in words a reader (and a screen reader) understands: a number grouped the UK way, or, for
 * a count the API withheld ({@code "<5"}: 1 to 4), "fewer than 5" ("llai na 5"), never the bare symbol, which a
 * screen reader reads as "less than 5" at best and as nothing at worst. Templates: {@code ${@figure.show(x)}}.
 */
@Component("figure")
public class FigureText {

    private final Counts counts;
    private final MessageSource messages;

    FigureText(Counts counts, MessageSource messages) {
        this.counts = counts;
        this.messages = messages;
    }

    public String show(Object count) {
        if (counts.suppressed(count)) {
            return messages.getMessage("dashboard.fewerThan5", null, "fewer than 5", LocaleContextHolder.getLocale());
        }
        return counts.show(count);
    }
}
