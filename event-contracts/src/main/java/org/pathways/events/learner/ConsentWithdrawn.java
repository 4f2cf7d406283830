package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;

/**
 * A learner withdrew a consent; it stops counting everywhere from {@code withdrawnAt}. Names the same agency or
 * agency kind as the consent it withdraws (exactly one of the two is set).
 */
public record ConsentWithdrawn(String learnerId, String consentId, String agencyId, AgencyKind agencyKind,
                               ConsentPurpose purpose, Instant withdrawnAt) implements PathwaysEvent {

    /** Withdraws a consent for one agency. */
    public ConsentWithdrawn(String learnerId, String consentId, String agencyId, ConsentPurpose purpose,
                            Instant withdrawnAt) {
        this(learnerId, consentId, agencyId, null, purpose, withdrawnAt);
    }

    @Override
    public String subject() {
        return learnerId;
    }
}
