package org.pathways.catalogue.search;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * Welsh initial mutations, undone: after each (lower-cased, folded) word, the radical forms it could be a mutation
 * of, at the same position, so that "gymraeg" (soft mutation, "yn Gymraeg") also indexes as "cymraeg" and "nghaerdydd"
 * (nasal, "yng Nghaerdydd") as "caerdydd". Soft: b→p, d→t, g→c, f→b/m, dd→d, l→ll, r→rh, a dropped g (a word
 * starting with a vowel may have lost a "g"); nasal: mh→p, nh→t, ngh→c, m→b, n→d, ng→g; aspirate: ph→p, th→t,
 * ch→c; h-prothesis: h + vowel → vowel. Over-generating is deliberate and cheap: a candidate that is not a word
 * matches nothing.
 */
final class WelshMutationFilter extends TokenFilter {

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final PositionIncrementAttribute position = addAttribute(PositionIncrementAttribute.class);
    private final Deque<String> pending = new ArrayDeque<>();
    private State state;

    WelshMutationFilter(TokenStream input) {
        super(input);
    }

    @Override
    public boolean incrementToken() throws IOException {
        if (!pending.isEmpty()) {
            restoreState(state);
            term.setEmpty().append(pending.poll());
            position.setPositionIncrement(0);
            return true;
        }
        if (!input.incrementToken()) {
            return false;
        }
        List<String> radicals = radicals(term.toString());
        if (!radicals.isEmpty()) {
            pending.addAll(radicals);
            state = captureState();
        }
        return true;
    }

    @Override
    public void reset() throws IOException {
        super.reset();
        pending.clear();
        state = null;
    }

    static List<String> radicals(String word) {
        List<String> forms = new ArrayList<>();
        if (word.length() < 3) {
            return forms;
        }
        if (word.startsWith("ngh")) {
            forms.add("c" + word.substring(3));
        } else if (word.startsWith("ng")) {
            forms.add("g" + word.substring(2));
        }
        replace(word, "mh", "p", forms);
        replace(word, "nh", "t", forms);
        replace(word, "ph", "p", forms);
        replace(word, "th", "t", forms);
        replace(word, "ch", "c", forms);
        if (word.startsWith("dd")) {
            forms.add("d" + word.substring(2));
        } else {
            replace(word, "d", "t", forms);
        }
        replace(word, "b", "p", forms);
        if (!word.startsWith("ng")) {
            replace(word, "g", "c", forms);
        }
        if (!word.startsWith("ff")) {
            replace(word, "f", "b", forms);
            replace(word, "f", "m", forms);
        }
        if (!word.startsWith("ll")) {
            replace(word, "l", "ll", forms);
        }
        if (!word.startsWith("rh")) {
            replace(word, "r", "rh", forms);
        }
        if (!word.startsWith("mh")) {
            replace(word, "m", "b", forms);
        }
        if (!word.startsWith("ng") && !word.startsWith("nh")) {
            replace(word, "n", "d", forms);
        }
        if (word.charAt(0) == 'h' && isVowel(word.charAt(1))) {
            forms.add(word.substring(1));
        }
        if (isVowel(word.charAt(0))) {
            forms.add("g" + word);
        }
        forms.remove(word);
        return forms.stream().distinct().toList();
    }

    private static void replace(String word, String mutated, String radical, List<String> forms) {
        if (word.startsWith(mutated)) {
            forms.add(radical + word.substring(mutated.length()));
        }
    }

    private static boolean isVowel(char c) {
        return "aeiouwy".indexOf(c) >= 0;
    }
}
