package org.pathways.learner.profile;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * A learner profile as one agency may see it. The registering agency sees every consent; an agency the learner
 * consented to sees only the consents given to it, not which other agencies the learner deals with.
 */
public record LearnerView(String id, String givenName, String familyName, String preferredName,
                          LocalDate dateOfBirth, String email, String phone, String localityCode,
                          String preferredLanguage, String registeringAgencyId, Instant registeredAt,
                          List<ConsentView> consents, Long version) {

    public static LearnerView forAgency(Learner learner, String agencyId, Instant now) {
        List<ConsentView> consents = learner.consents().stream()
                .filter(consent -> learner.isRegisteredBy(agencyId) || consent.agencyId().equals(agencyId))
                .map(consent -> ConsentView.of(consent, now))
                .toList();
        return new LearnerView(learner.id(), learner.givenName(), learner.familyName(), learner.preferredName(),
                learner.dateOfBirth(), learner.email(), learner.phone(), learner.localityCode(),
                learner.preferredLanguage(), learner.registeringAgencyId(), learner.registeredAt(), consents,
                learner.version());
    }
}
