package org.pathways.learner.domain;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A name reduced to what matters for matching: Unicode-decomposed with accents dropped ("Zoë" is "zoe"), letters
 * only, lower case, split into parts ("O'Neill-Hughes" is "oneill", "hughes").
 */
public record PersonName(List<String> givenParts, List<String> familyParts) {

    public static PersonName of(String givenName, String familyName, String preferredName) {
        List<String> given = new java.util.ArrayList<>(parts(givenName));
        for (String preferred : parts(preferredName)) {
            if (!given.contains(preferred)) {
                given.add(preferred);
            }
        }
        return new PersonName(List.copyOf(given), parts(familyName));
    }

    /** Lower-case letter runs, accents removed; apostrophes vanish so that O'Neill and ONeill agree. */
    public static List<String> parts(String text) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}+", "")
                .toLowerCase(Locale.ROOT)
                // Letters NFKD does not decompose.
                .replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("đ", "d").replace("æ", "ae")
                .replace("œ", "oe").replace("ı", "i")
                .replaceAll("['’‘`]", "");
        return Arrays.stream(decomposed.split("[^\\p{L}]+"))
                .filter(part -> !part.isEmpty())
                .toList();
    }

    /** Whether a given or a family name is missing: such a name matches nothing. */
    public boolean isEmpty() {
        return givenParts.isEmpty() || familyParts.isEmpty();
    }
}
