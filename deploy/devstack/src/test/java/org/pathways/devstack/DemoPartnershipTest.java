package org.pathways.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.devstack.DemoPartnership.LearnerPlan;
import org.pathways.devstack.DemoPartnership.Outcome;
import org.pathways.devstack.DemoPartnership.ReferralPlan;

/**
 * The demo plan is one the platform accepts, so that {@code --demo} loads it whole: every referral has the consent
 * it needs and is not a second open referral of the same learner to the same opportunity; every stage appears;
 * milestones reach back weeks but never into the future.
 */
class DemoPartnershipTest {

    private static final Map<DemoTokens.DemoPrincipal, String> AGENCY_OF = Map.of(
            DemoTokens.COLLEGE, DemoPartnership.COLLEGE_ID, DemoTokens.COUNCIL, DemoPartnership.COUNCIL_ID,
            DemoTokens.JOBCENTRE, DemoPartnership.JOBCENTRE_ID);

    @Test
    void everyReferralHasTheLearnersConsentForTheReceivingAgencyAndNoneIsADuplicateOpenReferral() {
        Set<String> open = new HashSet<>();
        for (ReferralPlan referral : DemoPartnership.REFERRALS) {
            LearnerPlan learner = DemoPartnership.LEARNERS.get(referral.learner());
            String receiving = AGENCY_OF.get(DemoPartnership.OPPORTUNITIES.get(referral.opportunity()).owner());
            assertThat(learner.consentTo()).as(learner.givenName() + " consents to " + receiving).contains(receiving);
            assertThat(referral.urgency()).isIn("ROUTINE", "SOON", "URGENT");
            boolean staysOpen = EnumSet.of(Outcome.SUBMITTED, Outcome.RECEIVED, Outcome.ACCEPTED,
                    Outcome.IN_PROGRESS, Outcome.ON_HOLD).contains(referral.outcome());
            String key = referral.learner() + "/" + referral.opportunity();
            assertThat(open).as("a second open referral " + key).doesNotContain(key);
            if (staysOpen) {
                open.add(key);
            }
            if (referral.nextStep() >= 0) {
                assertThat(referral.outcome()).isEqualTo(Outcome.COMPLETED);
                String next = AGENCY_OF.get(DemoPartnership.OPPORTUNITIES.get(referral.nextStep()).owner());
                assertThat(learner.consentTo()).contains(next);
                assertThat(DemoPartnership.ROUTES).contains(new DemoPartnership.RoutePlan(referral.opportunity(),
                        referral.nextStep()));
            }
        }
    }

    @Test
    void referralsStandAtEveryStageAndMilestonesReachBackWeeks() {
        Set<Outcome> outcomes = EnumSet.noneOf(Outcome.class);
        DemoPartnership.REFERRALS.forEach(referral -> outcomes.add(referral.outcome()));
        assertThat(outcomes).containsExactlyInAnyOrder(Outcome.values());
        assertThat(DemoPartnership.MILESTONES).allSatisfy(milestone -> {
            assertThat(milestone.daysAgo()).isNotNegative();
            assertThat(milestone.learner()).isLessThan(DemoPartnership.LEARNERS.size());
        });
        assertThat(DemoPartnership.MILESTONES.stream().mapToInt(DemoPartnership.MilestonePlan::daysAgo).max()
                .orElse(0)).as("six weeks of history").isGreaterThan(35);
        assertThat(DemoPartnership.LEARNERS.stream().map(LearnerPlan::localityCode).distinct().count())
                .isGreaterThanOrEqualTo(4);
        assertThat(DemoPartnership.LEARNERS.stream().filter(learner -> learner.preferredLanguage().equals("cy")))
                .isNotEmpty();
    }

    @Test
    void theDemoPlatformRunsWithASameDayAcknowledgementTargetAndAShortWebhookSchedule() {
        assertThat(DemoData.settingsFor("referral")).containsEntry("REFERRALS_SLA_ACKNOWLEDGE_DAYS", "0");
        assertThat(DemoData.settingsFor("notification")).containsKey("PATHWAYS_WEBHOOKS_RETRYSCHEDULE");
        assertThat(DemoData.settingsFor("gateway")).isEmpty();
    }

    @Test
    void onlyTheStartThatLoadsTheDemoRunsWithItsSettings(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path root = java.nio.file.Path.of("../..").toAbsolutePath().normalize();
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        java.nio.file.Path fresh = java.nio.file.Files.createDirectories(dir.resolve("fresh"));
        assertThat(new Devstack(root, fresh, true, false, 1, null, quiet).environmentOf(PlatformService.BACKEND.get(2)))
                .containsEntry("REFERRALS_SLA_ACKNOWLEDGE_DAYS", "0");

        // The demo is in this data directory already: a referral made now gets the normal two working days.
        java.nio.file.Path loaded = java.nio.file.Files.createDirectories(dir.resolve("loaded"));
        java.nio.file.Files.writeString(loaded.resolve(DemoData.MARKER_FILE), "loaded");
        Devstack later = new Devstack(root, loaded, true, false, 1, null, quiet);
        assertThat(later.environmentOf(PlatformService.BACKEND.get(2))).doesNotContainKey("REFERRALS_SLA_ACKNOWLEDGE_DAYS");
        assertThat(later.environmentOf(PlatformService.BACKEND.get(3))).doesNotContainKey("PATHWAYS_WEBHOOKS_RETRYSCHEDULE");
        assertThat(new Devstack(root, fresh, false, false, 1, null, quiet).environmentOf(PlatformService.BACKEND.get(2)))
                .as("without --demo, never").doesNotContainKey("REFERRALS_SLA_ACKNOWLEDGE_DAYS");
        // The web app's start page names the demo accounts, with the demo data or without (the issuer always has them).
        assertThat(new Devstack(root, fresh, false, false, 1, null, quiet).environmentOf(PlatformService.WEB))
                .containsEntry("PATHWAYS_WEB_DEMO_ACCOUNTS", "true");
    }

    @Test
    void theTeamLearnersPlanStepsAreOwnedByAgenciesInHerTeamAndFollowHerOwnOpenReferral() {
        LearnerPlan learner = DemoPartnership.LEARNERS.get(DemoPartnership.TEAM_LEARNER);
        assertThat(DemoPartnership.TEAM_PLAN).hasSize(2).allSatisfy(step -> {
            assertThat(learner.consentTo()).as("the owner must be in her team").contains(step.ownerAgencyId());
            assertThat(step.dueInDays()).isPositive();
            if (step.referral() >= 0) {
                DemoPartnership.ReferralPlan referral = DemoPartnership.REFERRALS.get(step.referral());
                assertThat(referral.learner()).isEqualTo(DemoPartnership.TEAM_LEARNER);
                assertThat(referral.outcome()).as("a step follows an open referral").isEqualTo(Outcome.SUBMITTED);
                assertThat(DemoPartnership.OPPORTUNITIES.get(referral.opportunity()).owner().description())
                        .startsWith(step.ownerAgencyId());
            }
        });
        assertThat(DemoPartnership.TEAM_PLAN).anySatisfy(step -> assertThat(step.referral()).isNotNegative());
    }
}
