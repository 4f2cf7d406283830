package org.pathways.notification.routing;

import java.util.Optional;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/** The two agencies of a referral, remembered from its events for a later event that does not name them. */
@Document("referral_parties")
record ReferralParties(@Id String referralId, String referringAgencyId, String receivingAgencyId) {

    static Optional<ReferralParties> of(String referralId, String referring, String receiving) {
        return referralId != null && referring != null && receiving != null
                ? Optional.of(new ReferralParties(referralId, referring, receiving)) : Optional.empty();
    }
}
