package org.pathways.events.learner;

import java.time.Instant;

import org.pathways.events.PathwaysEvent;

/** A learner withdrew a consent; it stops counting everywhere from {@code withdrawnAt}. */
public record ConsentWithdrawn(String learnerId, String consentId, String agencyId, ConsentPurpose purpose,
                               Instant withdrawnAt) implements PathwaysEvent {
    @Override
    public String subject() {
        return learnerId;
    }
}
