package org.pathways.learner.matching;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.commons.text.similarity.JaroWinklerSimilarity;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.pathways.learner.domain.PersonName;

/**
 * Whether two names are likely the same person's. Both the given and the family name must be close, in the same
 * order or swapped (a worker entering "Okafor Amina"); a part is close when it is equal, a known nickname of the
 * other, or a likely typo of it (Jaro-Winkler at least {@value #THRESHOLD}, or one edit apart).
 */
public final class NameSimilarity {

    static final double THRESHOLD = 0.88;
    private static final JaroWinklerSimilarity JARO_WINKLER = new JaroWinklerSimilarity();
    private static final LevenshteinDistance ONE_EDIT = new LevenshteinDistance(1);

    private NameSimilarity() {
    }

    /** Every given part with the formal names it may stand for. */
    private static Set<String> givenForms(PersonName name) {
        Set<String> forms = new LinkedHashSet<>();
        name.givenParts().forEach(part -> forms.addAll(Nicknames.formsOf(part)));
        return forms;
    }

    public static boolean similar(PersonName a, PersonName b) {
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        boolean sameOrder = close(givenForms(a), givenForms(b)) && close(a.familyParts(), b.familyParts());
        boolean swapped = close(givenForms(a), b.familyParts()) && close(a.familyParts(), givenForms(b));
        return sameOrder || swapped;
    }

    private static boolean close(Collection<String> one, Collection<String> other) {
        for (String x : one) {
            for (String y : other) {
                if (close(x, y)) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean close(String x, String y) {
        if (x.equals(y)) {
            return true;
        }
        // Short names ("Al", "Jo") are too easily one edit from someone else's.
        if (Math.min(x.length(), y.length()) < 4) {
            return false;
        }
        return JARO_WINKLER.apply(x, y) >= THRESHOLD || ONE_EDIT.apply(x, y) != -1;
    }
}
