package org.pathways.learner.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LearningKind;
import org.pathways.learner.consent.ConsentView;
import org.pathways.learner.profile.LearnerView;
import org.pathways.learner.profile.RegisterLearner;
import org.pathways.learner.profile.UpdateLearner;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentGranted;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.events.learner.ConsentWithdrawn;
import org.pathways.events.learner.LearnerProfileUpdated;
import org.pathways.events.learner.LearnerRegistered;
import org.pathways.events.learner.ProfileField;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

class LearnerTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30Z");
    private static final String COLLEGE = "agency-college";
    private static final String COUNCIL = "agency-council";

    private static Learner registered() {
        return Learner.register(new RegisterLearner(" Amina ", "Okafor", "", LocalDate.parse("1994-03-17"),
                "amina.okafor@example.org", " ", "ls6 ", "en"), COLLEGE, "worker-1", NOW);
    }

    @Test
    void registrationAnnouncesOnlyIdsLocalityAndTime() {
        Learner learner = registered();
        assertThat(learner.id()).matches("lrn-[0-9a-f-]{36}");
        assertThat(learner.givenName()).isEqualTo("Amina");
        assertThat(learner.preferredName()).isNull();
        assertThat(learner.phone()).isNull();
        assertThat(learner.localityCode()).isEqualTo("LS6");
        assertThat(learner.registeredEvent())
                .isEqualTo(new LearnerRegistered(learner.id(), COLLEGE, "LS6", NOW));
    }

    @Test
    void refusesADateOfBirthInTheFuture() {
        RegisterLearner unborn = new RegisterLearner("Amina", "Okafor", null, LocalDate.parse("2026-11-25"), null,
                null, "LS6", "en");
        assertThatThrownBy(() -> Learner.register(unborn, COLLEGE, "worker-1", NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.status()).isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT));
    }

    @Test
    void aGrantedConsentAllowsThatAgencyThatPurposeOnly() {
        Learner learner = registered();
        ConsentGranted granted = learner.grantConsent(COUNCIL, ConsentPurpose.REFERRAL_SHARING,
                ConsentMethod.VERBAL, "worker-1", null, NOW);

        assertThat(granted.learnerId()).isEqualTo(learner.id());
        assertThat(granted.consentId()).matches("cns-[0-9a-f-]{36}");
        assertThat(granted.grantedAt()).isEqualTo(NOW);
        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, NOW)).isTrue();
        assertThat(learner.allows(COUNCIL, ConsentPurpose.CONTACT, NOW)).isFalse();
        assertThat(learner.allows("agency-housing", ConsentPurpose.REFERRAL_SHARING, NOW)).isFalse();
        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, NOW.minusSeconds(1)))
                .as("not before it was given").isFalse();
    }

    @Test
    void aConsentLapsesAtItsExpiry() {
        Learner learner = registered();
        Instant expiry = NOW.plus(Duration.ofDays(30));
        learner.grantConsent(COUNCIL, ConsentPurpose.REFERRAL_SHARING, ConsentMethod.WRITTEN, "worker-1", expiry,
                NOW);

        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, expiry.minusMillis(1))).isTrue();
        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, expiry)).isFalse();
        assertThat(learner.isVisibleTo(COUNCIL, expiry.minusMillis(1))).isTrue();
        assertThat(learner.isVisibleTo(COUNCIL, expiry)).as("the profile closes again too").isFalse();
    }

    @Test
    void refusesAnExpiryThatIsNotInTheFuture() {
        Learner learner = registered();
        assertThatThrownBy(() -> learner.grantConsent(COUNCIL, ConsentPurpose.CONTACT, ConsentMethod.DIGITAL,
                "worker-1", NOW, NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.kind()).isEqualTo("consent-expiry-not-in-future"));
        assertThat(learner.consents()).isEmpty();
    }

    @Test
    void aWithdrawnConsentStopsCountingFromItsWithdrawal() {
        Learner learner = registered();
        ConsentGranted granted = learner.grantConsent(COUNCIL, ConsentPurpose.REFERRAL_SHARING,
                ConsentMethod.VERBAL, "worker-1", null, NOW);
        Instant later = NOW.plus(Duration.ofDays(2));

        ConsentWithdrawn withdrawn = learner.withdrawConsent(granted.consentId(), "worker-2", later);

        assertThat(withdrawn).isEqualTo(new ConsentWithdrawn(learner.id(), granted.consentId(), COUNCIL,
                ConsentPurpose.REFERRAL_SHARING, later));
        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, later.minusMillis(1))).isTrue();
        assertThat(learner.allows(COUNCIL, ConsentPurpose.REFERRAL_SHARING, later)).isFalse();
        assertThat(learner.isVisibleTo(COUNCIL, later)).isFalse();
        assertThat(learner.consent(granted.consentId()).orElseThrow().withdrawnBy()).isEqualTo("worker-2");
    }

    @Test
    void withdrawingAConsentTwiceIsAConflict() {
        Learner learner = registered();
        ConsentGranted granted = learner.grantConsent(COUNCIL, ConsentPurpose.CONTACT, ConsentMethod.VERBAL,
                "worker-1", null, NOW);
        learner.withdrawConsent(granted.consentId(), "worker-1", NOW.plusSeconds(60));

        assertThatThrownBy(() -> learner.withdrawConsent(granted.consentId(), "worker-1", NOW.plusSeconds(120)))
                .isInstanceOfSatisfying(ProblemException.class, e -> {
                    assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT);
                    assertThat(e.kind()).isEqualTo("consent-already-withdrawn");
                });
        assertThat(learner.consent(granted.consentId()).orElseThrow().withdrawnAt()).isEqualTo(NOW.plusSeconds(60));
    }

    @Test
    void withdrawingAnUnknownConsentIsNotFound() {
        Learner learner = registered();
        assertThatThrownBy(() -> learner.withdrawConsent("cns-unknown", "worker-1", NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.status()).isEqualTo(HttpStatus.NOT_FOUND));
    }

    @Test
    void anotherAgencySeesTheProfileOnlyWhileItHoldsAnActiveConsent() {
        Learner learner = registered();
        assertThat(learner.isVisibleTo(COLLEGE, NOW)).isTrue();
        assertThat(learner.isVisibleTo(COUNCIL, NOW)).isFalse();

        learner.grantConsent(COUNCIL, ConsentPurpose.OUTCOME_SHARING, ConsentMethod.DIGITAL, "worker-1", null, NOW);

        assertThat(learner.isVisibleTo(COUNCIL, NOW)).isTrue();
        assertThat(learner.isVisibleTo("agency-housing", NOW)).isFalse();
    }

    @Test
    void anotherAgencysViewShowsOnlyTheConsentsGivenToIt() {
        Learner learner = registered();
        learner.grantConsent(COUNCIL, ConsentPurpose.CONTACT, ConsentMethod.VERBAL, "worker-1", null, NOW);
        learner.grantConsent("agency-housing", ConsentPurpose.CONTACT, ConsentMethod.VERBAL, "worker-1", null, NOW);

        assertThat(viewOf(learner, COLLEGE, null).consents()).hasSize(2);
        assertThat(viewOf(learner, COUNCIL, null).consents())
                .extracting(ConsentView::agencyId).containsExactly(COUNCIL);
    }

    private static LearnerView viewOf(Learner learner, String agency, AgencyKind kind, String... liveReferrals) {
        Viewer viewer = new Viewer(agency, kind, List.of(liveReferrals));
        return LearnerView.forAgency(learner, viewer, learner.sharingWith(viewer, NOW), java.util.Set.of(), NOW);
    }

    @Test
    void aConsentToAKindCoversEveryAgencyKnownToBeOfThatKindAndNoOther() {
        Learner learner = registered();
        ConsentGranted granted = learner.grantConsent(null, AgencyKind.HOUSING, ConsentPurpose.REFERRAL_SHARING,
                ConsentMethod.WRITTEN, "worker-1", null, NOW);

        assertThat(granted.agencyId()).isNull();
        assertThat(granted.agencyKind()).isEqualTo(AgencyKind.HOUSING);
        assertThat(learner.consentFor("agency-housing-2", AgencyKind.HOUSING, ConsentPurpose.REFERRAL_SHARING, NOW))
                .map(Consent::id).contains(granted.consentId());
        assertThat(learner.consentFor("agency-housing-2", null, ConsentPurpose.REFERRAL_SHARING, NOW))
                .as("an agency whose kind is not known").isEmpty();
        assertThat(learner.consentFor(COUNCIL, AgencyKind.COUNCIL, ConsentPurpose.REFERRAL_SHARING, NOW)).isEmpty();
        LearnerView housing = viewOf(learner, "agency-housing-2", AgencyKind.HOUSING);
        assertThat(housing.dateOfBirth()).isNotNull();
        assertThat(housing.consents()).extracting(ConsentView::agencyKind).containsExactly(AgencyKind.HOUSING);
        assertThat(learner.withdrawConsent(granted.consentId(), "worker-1", NOW.plusSeconds(1)).agencyKind())
                .isEqualTo(AgencyKind.HOUSING);
    }

    @Test
    void aConsentNamesExactlyOneAgencyOrOneKind() {
        Learner learner = registered();
        for (AgencyKind kind : new AgencyKind[] {AgencyKind.COLLEGE, null}) {
            String agency = kind == null ? null : COUNCIL;
            assertThatThrownBy(() -> learner.grantConsent(agency, kind, ConsentPurpose.CONTACT, ConsentMethod.VERBAL,
                    "worker-1", null, NOW))
                    .isInstanceOfSatisfying(ProblemException.class,
                            e -> assertThat(e.kind()).isEqualTo("consent-needs-agency-or-kind"));
        }
        assertThat(learner.consents()).isEmpty();
    }

    @Test
    void anOpenReferralOpensOnlyTheFieldsAReferralNeedsAndSaysWhy() {
        Learner learner = registered();
        Sharing sharing = learner.sharingWith(new Viewer(COUNCIL, null, List.of("ref-1")), NOW);
        assertThat(sharing.any()).isTrue();
        assertThat(sharing.purposes()).containsExactly(ConsentPurpose.REFERRAL_SHARING);
        assertThat(sharing.grounds()).containsExactly("referral:ref-1");
        LearnerView view = viewOf(learner, COUNCIL, null, "ref-1");
        assertThat(view.dateOfBirth()).isNotNull();
        assertThat(view.email()).as("contact details are not a referral's").isNull();
        assertThat(learner.sharingWith(new Viewer(COUNCIL, null, List.of()), NOW).any()).isFalse();
    }

    @Test
    void anUpdateNamesTheChangedPartsOnlyAndAnUnchangedOneNothing() {
        Learner learner = registered();
        Optional<LearnerProfileUpdated> updated = learner.update(new UpdateLearner("Amina", "Okafor", null,
                LocalDate.parse("1994-03-17"), "new.address@example.org", null, null, "LS7", "en", null, null,
                Set.of(Barrier.TRANSPORT), "Become a nurse", null, null, null), COUNCIL, NOW);
        assertThat(updated).hasValueSatisfying(event -> {
            assertThat(event.changedFields()).containsExactly(ProfileField.CONTACT, ProfileField.LOCALITY,
                    ProfileField.BARRIERS, ProfileField.GOALS);
            assertThat(event.localityCode()).isEqualTo("LS7");
            assertThat(event.updatedByAgencyId()).isEqualTo(COUNCIL);
            assertThat(event.toString()).doesNotContain("new.address", "nurse", "Amina");
        });
        assertThat(learner.update(new UpdateLearner("Amina", "Okafor", null, LocalDate.parse("1994-03-17"),
                "new.address@example.org", null, null, "LS7", "en", null, null, Set.of(Barrier.TRANSPORT),
                "Become a nurse", null, null, null), COUNCIL, NOW)).isEmpty();
    }

    private static Milestone.Details milestone(MilestoneKind kind, LearningKind learningKind, Boolean accredited) {
        return new Milestone.Details(kind, LocalDate.parse("2026-11-20"), learningKind, null, accredited, null, null,
                null);
    }

    @Test
    void aMilestoneFromAReferralEventIsRecordedOnceHoweverOftenTheEventArrives() {
        Learner learner = registered();
        Milestone.Details enrolled = new Milestone.Details(MilestoneKind.ENROLLED, LocalDate.parse("2026-11-20"),
                null, null, null, null, "ref-1", "opp-1");

        assertThat(learner.recordMilestone(enrolled, COUNCIL, "referral-event", "evt-1", NOW)).isPresent();
        assertThat(learner.recordMilestone(enrolled, COUNCIL, "referral-event", "evt-1", NOW)).isEmpty();
        assertThat(learner.milestones()).hasSize(1);
        assertThat(learner.milestones().getFirst().referralId()).isEqualTo("ref-1");
    }

    @Test
    void onlyFormalLearningIsAccreditedAndOnlyAchievementsCarryALearningKind() {
        Learner learner = registered();
        assertThatThrownBy(() -> learner.recordMilestone(milestone(MilestoneKind.ACHIEVEMENT_GAINED,
                LearningKind.NON_FORMAL, true), COLLEGE, "worker-1", null, NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.kind()).isEqualTo("accredited-needs-formal-learning"));
        assertThatThrownBy(() -> learner.recordMilestone(milestone(MilestoneKind.INTO_WORK, LearningKind.FORMAL,
                null), COLLEGE, "worker-1", null, NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.kind()).isEqualTo("only-achievements-have-levels"));
        assertThat(learner.recordMilestone(milestone(MilestoneKind.ACHIEVEMENT_GAINED, LearningKind.INFORMAL, null),
                COLLEGE, "worker-1", null, NOW).orElseThrow().accredited()).isFalse();
        assertThat(learner.milestones()).hasSize(1);
    }

    @Test
    void erasureKeepsOnlyAPseudonymousCountedTombstone() {
        Learner learner = registered();
        learner.grantConsent(COUNCIL, ConsentPurpose.CONTACT, ConsentMethod.VERBAL, "worker-1", null, NOW);
        learner.recordMilestone(milestone(MilestoneKind.FIRST_CONTACT, null, null), COLLEGE, "worker-1", null, NOW);

        var erased = learner.erase(COLLEGE, NOW);

        assertThat(erased.learnerId()).isEqualTo(learner.id());
        assertThat(learner.isErased()).isTrue();
        assertThat(learner.givenName()).isNull();
        assertThat(learner.dateOfBirth()).isNull();
        assertThat(learner.email()).isNull();
        assertThat(learner.emailKey()).isNull();
        assertThat(learner.consents()).isEmpty();
        assertThat(learner.milestones()).isEmpty();
        assertThat(learner.erasure().consents()).isEqualTo(1);
        assertThat(learner.erasure().milestones()).isEqualTo(1);
        assertThat(learner.isVisibleTo(COLLEGE, NOW)).isFalse();
        assertThatThrownBy(() -> learner.erase(COLLEGE, NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.status()).isEqualTo(HttpStatus.GONE));
    }

    @Test
    void aPreferredContactMethodNeedsTheContactDetailItUses() {
        RegisterLearner byText = new RegisterLearner("Amina", "Okafor", null, LocalDate.parse("1994-03-17"),
                "amina@example.org", null, ContactMethod.TEXT, "LS6", "en", null, null, null, null, null, null, null);
        assertThatThrownBy(() -> Learner.register(byText, COLLEGE, "worker-1", NOW))
                .isInstanceOfSatisfying(ProblemException.class,
                        e -> assertThat(e.kind()).isEqualTo("contact-method-needs-phone"));
    }

    @Test
    void aLearnerIsNeverLinkedToItselfNorTwiceToTheSameRecord() {
        Learner learner = registered();
        learner.linkTo("lrn-other", COLLEGE, "worker-1", NOW);
        assertThatThrownBy(() -> learner.linkTo("lrn-other", COLLEGE, "worker-1", NOW))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.kind()).isEqualTo("already-linked"));
        assertThatThrownBy(() -> learner.linkTo(learner.id(), COLLEGE, "worker-1", NOW))
                .isInstanceOfSatisfying(ProblemException.class, e -> assertThat(e.kind()).isEqualTo("link-to-itself"));
    }
}
