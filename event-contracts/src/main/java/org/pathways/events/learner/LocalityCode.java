package org.pathways.events.learner;

/**
 * The partnership's coarse area code for where a learner lives: a postcode district ("LS6") or a neighbourhood or
 * ward code, upper-cased. Never a full postcode: one covers about fifteen households, so a count of referrals by it
 * singles people out. A full postcode is refused with or without its space ("LS6 2AB", "LS62AB", "LS6-2AB"); the
 * events' schemas carry the same rule.
 */
public final class LocalityCode {

    /** Up to 16 of A–Z, 0–9 and '-', and not the shape of a full postcode (outward code, then digit and two letters). */
    public static final String PATTERN = "(?![A-Z]{1,2}[0-9][A-Z0-9]?-?[0-9][A-Z]{2}$)[A-Z0-9-]{1,16}";
    public static final String MESSAGE =
            "must be a postcode district (such as LS6) or a neighbourhood code of up to 16 letters, digits and hyphens,"
                    + " never a full postcode";

    private LocalityCode() {
    }
}
