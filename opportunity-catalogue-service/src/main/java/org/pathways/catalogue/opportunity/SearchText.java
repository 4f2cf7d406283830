package org.pathways.catalogue.opportunity;

import java.text.Normalizer;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How catalogue text becomes search tokens: lower case, accents folded, split on anything that is not a letter or
 * digit, common words dropped, a plural "s" stripped. The same rule applies to stored text and to queries, so
 * "Courses in English" finds "English course".
 */
public final class SearchText {

    private static final Set<String> STOP_WORDS = Set.of("a", "an", "and", "the", "of", "in", "on", "for", "to",
            "with", "at", "by", "or", "is", "are", "be", "your", "you", "our", "we", "it", "this", "that", "from");

    private SearchText() {
    }

    public static Set<String> tokens(String text) {
        Set<String> tokens = new LinkedHashSet<>();
        if (text == null) {
            return tokens;
        }
        String folded = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT);
        for (String word : folded.split("[^\\p{L}\\p{N}]+")) {
            if (word.isEmpty() || STOP_WORDS.contains(word)) {
                continue;
            }
            tokens.add(word.length() > 3 && word.endsWith("s") && !word.endsWith("ss")
                    ? word.substring(0, word.length() - 1) : word);
        }
        return tokens;
    }
}
