package org.pathways.learner.domain;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import org.pathways.events.learner.LocalityCode;

/** Which text a learner's profile accepts, and how text from a request is tidied before it is kept. */
public final class LearnerText {

    public static final String NO_CONTROL_CHARACTERS = "[^\\p{Cntrl}]*";
    /** Not blank, without control characters; linear to match (no nested backtracking on long input). */
    public static final String NOT_BLANK_NO_CONTROL_CHARACTERS = "\\p{Zs}*[^\\p{Cntrl}\\s][^\\p{Cntrl}]*";
    /**
     * Free text in the learner's own words may hold tabs and run over several lines (LF or CRLF, as a browser's
     * text area sends), but holds no other control character.
     */
    public static final String NO_CONTROL_CHARACTERS_EXCEPT_LINES = "[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]*";
    public static final String EMAIL = "[^@\\s]+@[^@\\s]+\\.[^@\\s]+";
    public static final String PHONE = "\\+?[0-9][0-9 ()-]{5,19}";
    /** A postcode district or neighbourhood code, never a full postcode ({@link LocalityCode}). */
    public static final String LOCALITY = LocalityCode.PATTERN;
    public static final String LANGUAGE = "[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}";

    private LearnerText() {
    }

    /** Stripped of surrounding white space; absent stays absent. */
    public static String trimmed(String text) {
        return text == null ? null : text.strip();
    }

    public static String absentIfBlank(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    public static String locality(String code) {
        return code == null ? null : code.strip().toUpperCase(Locale.ROOT);
    }

    /** Trimmed, blanks and repeats dropped; an element that is null is kept so that validation refuses it. */
    public static List<String> tidy(List<String> texts) {
        if (texts == null) {
            return List.of();
        }
        if (texts.stream().anyMatch(Objects::isNull)) {
            return texts;
        }
        return texts.stream().map(String::strip).filter(text -> !text.isEmpty()).distinct().toList();
    }
}
