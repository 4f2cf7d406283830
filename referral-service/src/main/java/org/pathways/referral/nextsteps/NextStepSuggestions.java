package org.pathways.referral.nextsteps;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.referral.readmodel.OpportunityView;

/**
 * Where a completed referral may lead: the onward routes of its opportunity that take referrals, and those left out
 * with the reason. Ids, statuses and places only (the catalogue's API has the opportunities' details).
 *
 * @param suggestions the routes open to referrals (a full one with the warning {@code waitlist})
 * @param excluded    the routes that are not (WITHDRAWN, ENDED, or UNKNOWN to the catalogue)
 */
public record NextStepSuggestions(String referralId, String opportunityId, List<Suggestion> suggestions,
                                  List<Excluded> excluded) {

    /**
     * @param consentInPlace  whether the learner's consent already covers the provider (else record it first)
     * @param openReferralId  the learner's open referral to it, when the caller's agency is party to that one
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Suggestion(String opportunityId, String providerAgencyId, OpportunityView.Status status,
                             Integer capacity, int placesTaken, Integer placesLeft, String warning,
                             boolean consentInPlace, boolean alreadyReferred, String openReferralId) {
    }

    public record Excluded(String opportunityId, String reason) {
    }
}
