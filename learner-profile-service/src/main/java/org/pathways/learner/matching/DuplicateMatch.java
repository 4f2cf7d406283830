package org.pathways.learner.matching;

import java.time.Instant;
import java.util.Set;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A possible duplicate shown to one agency as a match token instead of the record it stands for. Only the token's
 * SHA-256 is kept, as the key: the token itself is a secret only its holder has. Ids and codes only.
 *
 * @param tokenHash the SHA-256 of the token, hex
 * @param agencyId the agency that was shown the match: the only one that may redeem it
 * @param learnerId the record that matched (the requester never learns it)
 */
@Document("duplicate_matches")
public record DuplicateMatch(@Id String tokenHash, String agencyId, @Indexed String learnerId, Set<String> matchedOn,
                             Instant issuedAt, @Indexed Instant expiresAt) {

    public boolean isRedeemableBy(String agency, Instant at) {
        return agencyId.equals(agency) && at.isBefore(expiresAt);
    }
}
