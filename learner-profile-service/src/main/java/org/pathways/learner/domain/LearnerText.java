package org.pathways.learner.domain;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** How free text from a request is tidied before it is kept. */
public final class LearnerText {

    private LearnerText() {
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
