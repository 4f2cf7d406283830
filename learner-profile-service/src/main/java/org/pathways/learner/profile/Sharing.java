package org.pathways.learner.profile;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ProfileField;

/**
 * What one agency may see of one learner now, and why. {@code grounds} names each relationship that allows it, as
 * the audit records it: {@code registering-agency}, {@code consent:<consentId>} (a consent to the agency or to its
 * kind) or {@code referral:<referralId>} (an open referral between the agency and the learner, which opens the
 * fields a referral needs).
 */
public record Sharing(boolean registering, Set<ConsentPurpose> purposes, List<String> grounds) {

    public static final String REGISTERING_AGENCY = "registering-agency";
    static final Sharing NONE = new Sharing(false, Set.of(), List.of());

    public Sharing {
        purposes = purposes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(purposes));
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
     * Whether the agency may change {@code field}: the registering agency any, another agency only what its
     * purposes let it see (as {@link LearnerView} shows it), so that no one overwrites what they cannot read.
     */
    public boolean mayChange(ProfileField field) {
        if (registering) {
            return true;
        }
        boolean contact = includes(ConsentPurpose.CONTACT);
        boolean referral = includes(ConsentPurpose.REFERRAL_SHARING);
        boolean outcomes = includes(ConsentPurpose.OUTCOME_SHARING);
        return switch (field) {
            case NAME -> any();
            case CONTACT -> contact;
            case LOCALITY -> referral || outcomes;
            case LANGUAGE, ACCESSIBILITY -> contact || referral;
            case DATE_OF_BIRTH, BARRIERS, GOALS, INTERESTS, ACHIEVEMENTS -> referral;
        };
    }
}
