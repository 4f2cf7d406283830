package org.pathways.learner.matching;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Common English short forms and spelling variants of given names, each mapped to one formal name, so that "Bob"
 * and "Robert" or "Mo" and "Muhammad" compare as the same name. Deliberately small: a table that says too much
 * turns different people into matches.
 */
final class Nicknames {

    private static final Map<String, String> FORMAL = new HashMap<>();

    static {
        formal("robert", "bob", "bobby", "rob", "robbie", "bert");
        formal("elizabeth", "liz", "lizzie", "lizzy", "beth", "betty", "eliza", "elisabeth", "libby");
        formal("mohammed", "mo", "moe", "mohamed", "mohammad", "muhammad", "muhammed", "mohamad", "mohd");
        formal("william", "bill", "billy", "will", "willie", "liam");
        formal("james", "jim", "jimmy", "jamie");
        formal("katherine", "kate", "katie", "kathy", "kath", "catherine", "cathy", "kathryn", "katharine");
        formal("margaret", "maggie", "meg", "peggy", "margo");
        formal("michael", "mike", "mick", "mickey");
        formal("david", "dave", "davey");
        formal("thomas", "tom", "tommy");
        formal("christopher", "chris", "kit");
        formal("alexander", "alex", "sandy");
        formal("alexandra", "alex", "lexi");
        formal("jennifer", "jen", "jenny");
        formal("susan", "sue", "susie");
        formal("daniel", "dan", "danny");
        formal("joseph", "joe", "joey");
        formal("edward", "ed", "eddie", "ted", "teddy");
        formal("anthony", "tony", "antony");
        formal("nicholas", "nick", "nicky");
        formal("matthew", "matt");
        formal("stephen", "steve", "steven", "stevie");
        formal("andrew", "andy", "drew");
        formal("richard", "rich", "richie", "dick");
        formal("benjamin", "ben", "benny");
        formal("samuel", "sam", "sammy");
        formal("patrick", "pat", "paddy");
        formal("abdullah", "abdul");
        formal("aleksander", "olek");
        formal("jonathan", "jon", "jonny");
        formal("rebecca", "becky", "becca");
        formal("victoria", "vicky", "tori");
        formal("deborah", "debbie", "debra");
        formal("olusegun", "segun");
        formal("oluwaseun", "seun");
    }

    private Nicknames() {
    }

    private static void formal(String formal, String... variants) {
        FORMAL.putIfAbsent(formal, formal);
        for (String variant : variants) {
            FORMAL.putIfAbsent(variant, formal);
        }
    }

    /** The formal names {@code name} may stand for (itself included). */
    static Set<String> formsOf(String name) {
        String formal = FORMAL.get(name);
        return formal == null || formal.equals(name) ? Set.of(name) : Set.copyOf(List.of(name, formal));
    }
}
