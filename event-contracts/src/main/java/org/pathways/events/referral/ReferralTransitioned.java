package org.pathways.events.referral;

import org.pathways.events.PathwaysEvent;

/**
 * What every lifecycle event of a referral carries: both agencies (so that each can be told), the new status, a
 * reason code (never free text), when, and which agency acted.
 */
public interface ReferralTransitioned extends PathwaysEvent {
    String referralId();
    String learnerId();
    String opportunityId();
    String referringAgencyId();
    String receivingAgencyId();
    ReferralStatus status();
    ReferralReason reason();
    String actingAgencyId();
    java.time.Instant at();

    @Override
    default String subject() {
        return referralId();
    }
}
