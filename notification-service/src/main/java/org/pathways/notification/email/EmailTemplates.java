package org.pathways.notification.email;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

import org.pathways.notification.notice.Notice;

/**
 * The e-mails' words, per language, from {@code mail/notices[_<lang>].properties}: a subject and a body per kind of
 * notice, filled with the referral id, the link to it and the agency id. Nothing about the learner: a reader follows
 * the link and signs in.
 */
final class EmailTemplates {

    /** The languages with templates. */
    static final String LANGUAGES = "en|cy";
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

    record Email(String subject, String body) {
    }

    private EmailTemplates() {
    }

    static Email render(Notice notice, String language, String link) {
        ResourceBundle words = ResourceBundle.getBundle("mail/notices",
                language == null ? Locale.ROOT : Locale.forLanguageTag(language), NO_FALLBACK);
        Locale locale = words.getLocale();
        String key = notice.kind().name();
        Object[] values = {notice.referralId(), link, notice.agencyId()};
        return new Email(new MessageFormat(words.getString(key + ".subject"), locale).format(values),
                new MessageFormat(words.getString(key + ".body"), locale).format(values));
    }
}
