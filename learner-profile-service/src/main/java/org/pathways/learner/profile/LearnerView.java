package org.pathways.learner.profile;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;

import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.consent.ConsentView;
import org.pathways.learner.domain.Achievement;
import org.pathways.learner.domain.Barrier;
import org.pathways.learner.domain.ContactMethod;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.LearnerLink;
import org.pathways.learner.domain.MergeRecord;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.domain.Viewer;

/**
 * A learner profile as one agency may see it. The registering agency sees everything, every consent and link. An
 * agency the learner consented to (itself or its kind), or with an open referral of the learner (which counts as
 * {@code REFERRAL_SHARING}), sees only the fields its purposes need ({@code sharedFor}; anything else is null or
 * empty), only the consents given to itself or its kind, and no links. Even the registering agency sees only the
 * links to records it may see itself ({@code linkedLearnerIds}); the others are counted
 * ({@code otherLinkedRecords}), never named:
 *
 * <ul>
 *   <li>{@code CONTACT}: names, e-mail, phone, preferred contact method, language, interpreter, accessibility
 *   needs;</li>
 *   <li>{@code REFERRAL_SHARING} (the referral summary): names, date of birth, locality, language, interpreter,
 *   accessibility needs, barriers, goals, interests, prior achievements;</li>
 *   <li>{@code OUTCOME_SHARING}: names and locality (the milestones are read from their own endpoint).</li>
 * </ul>
 */
public record LearnerView(String id, String givenName, String familyName, String preferredName,
                          LocalDate dateOfBirth, String email, String phone, ContactMethod preferredContactMethod,
                          String localityCode, String preferredLanguage, boolean interpreterNeeded,
                          String accessibilityNeeds, Set<Barrier> barriers, String goals, List<String> interests,
                          List<Achievement> priorAchievements, String registeringAgencyId, Instant registeredAt,
                          List<ConsentView> consents, List<String> linkedLearnerIds, String mergedInto,
                          int otherLinkedRecords, List<String> mergedFromLearnerIds, Set<ConsentPurpose> sharedFor,
                          Long version) {

    /** The view of the agency that registered the learner, as registered: everything (there are no links yet). */
    public static LearnerView forRegisteringAgency(Learner learner, Instant now) {
        Viewer viewer = Viewer.registering(learner.registeringAgencyId());
        return forAgency(learner, viewer, learner.sharingWith(viewer, now), Set.of(), now);
    }

    /**
     * What {@code viewer} may see, given what is shared with it ({@link Learner#sharingWith}) and which of the
     * learner's linked records it may see itself ({@code openLinks}).
     */
    public static LearnerView forAgency(Learner learner, Viewer viewer, Sharing sharing, Set<String> openLinks,
                                        Instant now) {
        boolean registering = sharing.registering();
        Set<ConsentPurpose> purposes = sharing.purposes();
        boolean contact = purposes.contains(ConsentPurpose.CONTACT);
        boolean referral = purposes.contains(ConsentPurpose.REFERRAL_SHARING);
        boolean outcomes = purposes.contains(ConsentPurpose.OUTCOME_SHARING);
        boolean support = contact || referral;

        List<ConsentView> consents = learner.consents().stream()
                .filter(consent -> registering || consent.covers(viewer.agencyId(), viewer.kind()))
                .map(consent -> ConsentView.of(consent, now))
                .toList();
        List<String> allLinks = learner.links().stream().map(LearnerLink::learnerId).toList();
        List<String> links = registering ? allLinks.stream().filter(openLinks::contains).toList() : List.of();
        int otherLinks = registering ? allLinks.size() - links.size() : 0;
        List<String> mergedFrom = registering
                ? learner.mergedFrom().stream().map(MergeRecord::learnerId).toList() : List.of();
        return new LearnerView(learner.id(), learner.givenName(), learner.familyName(), learner.preferredName(),
                referral ? learner.dateOfBirth() : null,
                contact ? learner.email() : null,
                contact ? learner.phone() : null,
                contact ? learner.preferredContactMethod() : null,
                referral || outcomes ? learner.localityCode() : null,
                support ? learner.preferredLanguage() : null,
                support && learner.interpreterNeeded(),
                support ? learner.accessibilityNeeds() : null,
                referral ? learner.barriers() : Set.of(),
                referral ? learner.goals() : null,
                referral ? learner.interests() : List.of(),
                referral ? learner.priorAchievements() : List.of(),
                learner.registeringAgencyId(), learner.registeredAt(), consents, links, learner.mergedInto(),
                otherLinks, mergedFrom, purposes,
                learner.version());
    }
}
