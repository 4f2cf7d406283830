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
    /** A language a worker may prefer (a BCP 47 primary tag, optionally with a region): any, since it falls back. */
    static final String LANGUAGE_TAG = "[a-z]{2,3}(-[A-Za-z0-9]{2,8})?";
    private static final String DEFAULT_LANGUAGE = "en";
    private static final ResourceBundle.Control NO_FALLBACK =
            ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES);

    /** @param language the language the e-mail is in: the one asked for if it has templates, otherwise en */
    record Email(String subject, String body, String language) {
    }

    private EmailTemplates() {
    }

    /** The language e-mails asked for in {@code language} are actually written in. */
    static String languageFor(String language) {
        String found = bundle(language).getLocale().getLanguage();
        return found.isEmpty() ? DEFAULT_LANGUAGE : found;
    }

    private static ResourceBundle bundle(String language) {
        return ResourceBundle.getBundle("mail/notices",
                language == null ? Locale.ROOT : Locale.forLanguageTag(language), NO_FALLBACK);
    }

    /** The notice's e-mail in {@code language} where templates exist (also for a regional tag such as cy-GB), else English. */
    static Email render(Notice notice, String language, String link) {
        ResourceBundle words = bundle(language);
        Locale locale = words.getLocale();
        String key = notice.kind().name();
        Object[] values = {notice.referralId(), link, notice.agencyId()};
        return new Email(new MessageFormat(words.getString(key + ".subject"), locale).format(values),
                new MessageFormat(words.getString(key + ".body"), locale).format(values),
                locale.getLanguage().isEmpty() ? DEFAULT_LANGUAGE : locale.getLanguage());
    }
}
