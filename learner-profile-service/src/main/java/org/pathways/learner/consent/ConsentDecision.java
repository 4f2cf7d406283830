package org.pathways.learner.consent;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;

/**
 * The answer to "may this agency use this learner's data for this purpose now?", and why: {@code basis} is
 * {@code AGENCY_CONSENT} or {@code KIND_CONSENT} (then {@code consentId} names the consent) when allowed, else
 * {@code NO_CONSENT} or {@code AGENCY_KIND_UNKNOWN} (a consent to some kind exists, but the catalogue has not told
 * this service the agency's kind). {@code agencyKind} is the agency's kind as far as known; {@code explanation} says
 * the same in words.
 */
public record ConsentDecision(boolean allowed, String agencyId, AgencyKind agencyKind, ConsentPurpose purpose,
                              Basis basis, String consentId, String explanation) {

    public enum Basis {
        AGENCY_CONSENT, KIND_CONSENT, NO_CONSENT, AGENCY_KIND_UNKNOWN
    }
}
