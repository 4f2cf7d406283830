package org.pathways.learner.domain;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ProfileField;

/**
 * What one agency may see of one learner now, and why. {@code grounds} names each relationship that allows it, as
 * the audit records it: {@code registering-agency}, {@code consent:<consentId>} (a consent to the agency or to its
 * kind) or {@code referral:<referralId>} (an open referral the agency receives, which opens the fields a referral
 * needs, to read only).
 *
 * @param purposes what the agency may read for, from its consents and the referrals it receives
 * @param consented the purposes its consents in force cover (what it may also change)
 */
public record Sharing(boolean registering, Set<ConsentPurpose> purposes, Set<ConsentPurpose> consented,
                      List<String> grounds) {

    public static final String REGISTERING_AGENCY = "registering-agency";
    static final Sharing NONE = new Sharing(false, Set.of(), Set.of(), List.of());

    public Sharing {
        purposes = purposes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(purposes));
        consented = consented.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(consented));
        grounds = List.copyOf(grounds);
    }

    /** Whether the agency may see the learner at all. */
    public boolean any() {
        return registering || !grounds.isEmpty();
    }

    public boolean includes(ConsentPurpose purpose) {
        return purposes.contains(purpose);
    }

    /**
     * Whether the agency only reads the learner: it sees them through referrals it receives and nothing else (no
     * registration, no consent in force), so it may add nothing to the record either (no milestone, no link).
     */
    public boolean readOnly() {
        return !registering && consented.isEmpty();
    }

    /**
     * The {@code 403} for an agency that would change, or add to, a record it may only read; it sees the record
     * anyway, so this says no more than it knows.
     */
    public static org.pathways.platform.problem.ProblemException readOnlyAccess() {
        return new org.pathways.platform.problem.ProblemException(org.springframework.http.HttpStatus.FORBIDDEN,
                "read-only-access", "Your agency sees this learner only through a referral it receives, to read; "
                        + "it may not add to or change the record.");
    }

    /**
     * Whether the agency may change {@code field}: the registering agency any, another agency only what its
     * consents let it see (as {@link LearnerView} shows it), so that no one overwrites what they cannot read. A
     * referral it receives lets it read, never change.
     */
    public boolean mayChange(ProfileField field) {
        if (registering) {
            return true;
        }
        boolean contact = consented.contains(ConsentPurpose.CONTACT);
        boolean referral = consented.contains(ConsentPurpose.REFERRAL_SHARING);
        boolean outcomes = consented.contains(ConsentPurpose.OUTCOME_SHARING);
        return switch (field) {
            case NAME -> !consented.isEmpty();
            case CONTACT -> contact;
            case LOCALITY -> referral || outcomes;
            case LANGUAGE, ACCESSIBILITY -> contact || referral;
            case DATE_OF_BIRTH, BARRIERS, GOALS, INTERESTS, ACHIEVEMENTS -> referral;
        };
    }
}
