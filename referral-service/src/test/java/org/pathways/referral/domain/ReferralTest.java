package org.pathways.referral.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralPutOnHold;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.ReferralTransitioned;
import org.pathways.events.referral.SlaBreach;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.sla.WorkingCalendar;

/** The referral's own rules, without Spring. */
class ReferralTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Actor REFERRER = new Actor("w-1", "agency-council", Set.of(ReferralAction.Side.REFERRING));
    private static final Actor RECEIVER = new Actor("w-2", "agency-college", Set.of(ReferralAction.Side.RECEIVING));

    private static Referral submitted() {
        return Referral.submit("lrn-1", "opp-1", "agency-council", "w-1", "agency-college", "needs", Urgency.ROUTINE,
                null, NOW, new Referral.DueDates(NOW.plus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(5))));
    }

    @Test
    void aHoldRemembersWhereItResumes() {
        Referral referral = submitted();
        referral.perform(ReferralAction.RECEIVE, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.ACCEPT, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.START, RECEIVER, null, null, NOW);
        assertThatThrownBy(() -> referral.perform(ReferralAction.HOLD, RECEIVER, ReferralReason.NO_CAPACITY, null,
                NOW)).isInstanceOf(InvalidReason.class);
        assertThat(referral.perform(ReferralAction.HOLD, RECEIVER, ReferralReason.WAITLISTED, "Next intake", NOW)
                .reason()).isEqualTo(ReferralReason.WAITLISTED);
        assertThat(referral.perform(ReferralAction.RESUME, RECEIVER, null, null, NOW).status())
                .isEqualTo(ReferralStatus.IN_PROGRESS);
    }

    @Test
    void thePlatformHoldsOrCancelsAnyOpenReferralButNothingElse() {
        Referral referral = submitted();
        assertThat(referral.perform(ReferralAction.HOLD, Actor.platform(), ReferralReason.CONSENT_WITHDRAWN, null,
                NOW)).isInstanceOf(ReferralPutOnHold.class);
        assertThat(referral.allowedActionsFor(Actor.platform())).containsExactly(ReferralAction.CANCEL);
        assertThat(referral.perform(ReferralAction.CANCEL, Actor.platform(), ReferralReason.CONSENT_WITHDRAWN, null,
                NOW)).isInstanceOf(ReferralCancelled.class);
        assertThatThrownBy(() -> referral.perform(ReferralAction.ACCEPT, Actor.platform(), null, null, NOW))
                .isInstanceOf(TransitionRefused.class);
    }

    @Test
    void aWaitlistedReferralIsHeldAgainForTheConsentOnceAndResumesToWhereItWasBeforeTheFirstHold() {
        Referral referral = submitted();
        referral.perform(ReferralAction.RECEIVE, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.ACCEPT, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.HOLD, RECEIVER, ReferralReason.WAITLISTED, null, NOW);

        // The learner's consent stops counting while the college waitlists them: the platform holds it again, for
        // that reason, so that it no longer opens the learner's record to the college.
        ReferralTransitioned held = referral.perform(ReferralAction.HOLD, Actor.platform(),
                ReferralReason.CONSENT_WITHDRAWN, null, NOW.plusSeconds(60));
        assertThat(held).isInstanceOf(ReferralPutOnHold.class);
        assertThat(held.status()).isEqualTo(ReferralStatus.ON_HOLD);
        assertThat(held.reason()).isEqualTo(ReferralReason.CONSENT_WITHDRAWN);
        assertThat(referral.holdReason()).isEqualTo(ReferralReason.CONSENT_WITHDRAWN);
        assertThat(referral.heldAt()).as("its clocks stay paused from the first hold").isEqualTo(NOW);
        assertThatThrownBy(() -> referral.perform(ReferralAction.HOLD, Actor.platform(),
                ReferralReason.CONSENT_WITHDRAWN, null, NOW.plusSeconds(120)))
                .as("held for the consent already").isInstanceOf(TransitionRefused.class);
        assertThatThrownBy(() -> referral.perform(ReferralAction.HOLD, RECEIVER, ReferralReason.WAITLISTED, null,
                NOW.plusSeconds(120))).as("the agency cannot put its own reason back").isInstanceOf(
                TransitionRefused.class);

        assertThat(referral.perform(ReferralAction.RESUME, RECEIVER, null, null, NOW.plusSeconds(180)).status())
                .as("resumed where it was before the waitlist").isEqualTo(ReferralStatus.ACCEPTED);
        assertThat(referral.holdReason()).isNull();
    }

    @Test
    void failureReasonsFitTheStage() {
        Referral referral = submitted();
        referral.perform(ReferralAction.RECEIVE, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.ACCEPT, RECEIVER, null, null, NOW);
        assertThatThrownBy(() -> referral.perform(ReferralAction.FAIL, RECEIVER, ReferralReason.LEFT_EARLY, null,
                NOW)).isInstanceOf(InvalidReason.class);
        assertThat(referral.perform(ReferralAction.FAIL, RECEIVER, ReferralReason.DID_NOT_START, null, NOW)
                .status()).isEqualTo(ReferralStatus.FAILED);
    }

    @Test
    void theReferrerCannotAnswerItsOwnReferral() {
        Referral referral = submitted();
        assertThatThrownBy(() -> referral.perform(ReferralAction.RECEIVE, REFERRER, null, null, NOW))
                .isInstanceOfSatisfying(TransitionRefused.class,
                        refused -> assertThat(refused.allowed()).containsExactly(ReferralAction.CANCEL));
    }

    @Test
    void eachBreachIsRaisedOnceAndAnAnsweredReferralIsNotOverdue() {
        Referral referral = submitted();
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(1)))).isEmpty();
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(3)))).extracting("breach")
                .containsExactly(SlaBreach.ACKNOWLEDGE);
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(4)))).isEmpty();
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(6)))).extracting("breach")
                .containsExactly(SlaBreach.DECIDE);
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(7)))).isEmpty();

        Referral answered = submitted();
        answered.perform(ReferralAction.REJECT, RECEIVER, ReferralReason.DUPLICATE, null, NOW);
        assertThat(answered.raiseOverdue(NOW.plus(Duration.ofDays(30)))).isEmpty();
        assertThat(answered.overdueAt(NOW.plus(Duration.ofDays(30)))).isFalse();
    }

    @Test
    void closingUnsetsTheOpenKey() throws Exception {
        Referral referral = submitted();
        var openKey = Referral.class.getDeclaredField("openKey");
        openKey.setAccessible(true);
        assertThat(openKey.get(referral)).isEqualTo("lrn-1|opp-1");
        referral.perform(ReferralAction.CANCEL, REFERRER, null, null, NOW);
        assertThat(openKey.get(referral)).isNull();
    }

    @Test
    void theResponseClocksPauseWhileOnHoldAndMoveOnByTheWorkingTimeHeld() {
        WorkingCalendar calendar = new WorkingCalendar(java.time.ZoneId.of("Europe/London"),
                List.of(java.time.LocalDate.parse("2026-12-25"), java.time.LocalDate.parse("2026-12-28"),
                        java.time.LocalDate.parse("2027-01-01")));
        // Submitted Tuesday 22 December 10:00: acknowledge by Thursday 24th, decide by Thursday 31st.
        Instant submittedAt = Instant.parse("2026-12-22T10:00:00Z");
        Referral referral = Referral.submit("lrn-1", "opp-1", "agency-council", "w-1", "agency-college", "needs",
                Urgency.ROUTINE, null, submittedAt, new Referral.DueDates(calendar.plusWorkingDays(submittedAt, 2),
                        calendar.plusWorkingDays(submittedAt, 5)));
        assertThat(referral.acknowledgeBy()).isEqualTo(Instant.parse("2026-12-24T10:00:00Z"));
        assertThat(referral.decideBy()).isEqualTo(Instant.parse("2026-12-31T10:00:00Z"));

        // Held Wednesday 23rd 10:00 (consent withdrawn), resumed Tuesday 29th 10:00: two working days held
        // (the 23rd and 24th); Christmas, Boxing Day and the weekend do not count.
        referral.perform(ReferralAction.HOLD, Actor.platform(), ReferralReason.CONSENT_WITHDRAWN, null,
                Instant.parse("2026-12-23T10:00:00Z"), calendar);
        // While held no breach is raised, however late it is.
        assertThat(referral.raiseOverdue(Instant.parse("2026-12-29T09:00:00Z"))).isEmpty();
        referral.perform(ReferralAction.RESUME, RECEIVER, null, null, Instant.parse("2026-12-29T10:00:00Z"),
                calendar);
        assertThat(referral.status()).isEqualTo(ReferralStatus.SUBMITTED);
        assertThat(referral.acknowledgeBy()).isEqualTo(Instant.parse("2026-12-30T10:00:00Z"));
        // New Year's Day is a bank holiday too, then the weekend.
        assertThat(referral.decideBy()).isEqualTo(Instant.parse("2027-01-05T10:00:00Z"));
        assertThat(referral.raiseOverdue(Instant.parse("2026-12-30T09:59:00Z"))).isEmpty();
        assertThat(referral.raiseOverdue(Instant.parse("2026-12-30T10:01:00Z"))).hasSize(1);
    }

    @Test
    void aBreachAlreadyRaisedKeepsItsDueDateWhenTheReferralResumes() {
        Referral referral = submitted();
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(3)))).extracting(o -> o.breach())
                .containsExactly(SlaBreach.ACKNOWLEDGE);
        Instant acknowledgeBy = referral.acknowledgeBy();
        Instant decideBy = referral.decideBy();
        referral.perform(ReferralAction.HOLD, Actor.platform(), ReferralReason.CONSENT_WITHDRAWN, null,
                NOW.plus(Duration.ofDays(3)));
        referral.perform(ReferralAction.RESUME, RECEIVER, null, null, NOW.plus(Duration.ofDays(4)));
        assertThat(referral.acknowledgeBy()).isEqualTo(acknowledgeBy);
        assertThat(referral.decideBy()).isEqualTo(decideBy.plus(Duration.ofDays(1)));
        assertThat(referral.raiseOverdue(NOW.plus(Duration.ofDays(5)).plusSeconds(60))).isEmpty();
    }

    @Test
    void aDecidedReferralHeldOnTheWaitingListKeepsItsMetDeadlines() {
        Referral referral = submitted();
        referral.perform(ReferralAction.RECEIVE, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.ACCEPT, RECEIVER, null, null, NOW);
        Instant acknowledgeBy = referral.acknowledgeBy();
        Instant decideBy = referral.decideBy();
        referral.perform(ReferralAction.HOLD, RECEIVER, ReferralReason.WAITLISTED, null, NOW);
        referral.perform(ReferralAction.RESUME, RECEIVER, null, null, NOW.plus(Duration.ofDays(20)));
        assertThat(referral.acknowledgeBy()).isEqualTo(acknowledgeBy);
        assertThat(referral.decideBy()).isEqualTo(decideBy);
    }

    @Test
    void aCompletedReferralLeadsOnToOneNextStepAtATime() {
        Referral referral = submitted();
        Referral next = submitted();
        assertThatThrownBy(() -> referral.linkNextStep(next, null)).isInstanceOf(IllegalStateException.class);
        referral.perform(ReferralAction.RECEIVE, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.ACCEPT, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.START, RECEIVER, null, null, NOW);
        referral.perform(ReferralAction.COMPLETE, RECEIVER, null, null, NOW);
        referral.linkNextStep(next, null);
        assertThat(referral.nextReferralId()).isEqualTo(next.id());
        Referral another = submitted();
        assertThatThrownBy(() -> referral.linkNextStep(another, ReferralStatus.SUBMITTED))
                .isInstanceOf(IllegalStateException.class);
        referral.linkNextStep(another, ReferralStatus.REJECTED);
        assertThat(referral.nextReferralId()).isEqualTo(another.id());
    }

    @Test
    void erasureRemovesEveryTextOnceKeepsCodesAndRefusesNewPersonalData() {
        SharedSummary summary = new SharedSummary(null, null, "Mina", null, "ls6", "ar", true, null,
                Set.of(SharedSummary.Barrier.CHILDCARE), "Work in a school", List.of(), List.of());
        Referral referral = Referral.submit("lrn-1", "opp-1", "agency-council", "w-1", "agency-college", "needs",
                Urgency.ROUTINE, summary, null, "key-1", NOW,
                new Referral.DueDates(NOW.plus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(5))), null);
        assertThat(referral.sharedSummary().localityCode()).isEqualTo("LS6");
        assertThat(referral.sharedSummaryTakenAt()).isEqualTo(NOW);
        referral.addNote(REFERRER, "Mornings only", NOW);
        referral.perform(ReferralAction.REJECT, RECEIVER, ReferralReason.OTHER, "Moved to Leeds", NOW);

        assertThat(referral.erase(NOW.plusSeconds(60))).isTrue();
        assertThat(referral.erase(NOW.plusSeconds(120))).isFalse();
        assertThat(referral.erasedAt()).isEqualTo(NOW.plusSeconds(60));
        assertThat(referral.need()).isNull();
        assertThat(referral.sharedSummary()).isNull();
        assertThat(referral.sharedSummaryTakenAt()).isEqualTo(NOW);
        assertThat(referral.notes()).singleElement().satisfies(note -> {
            assertThat(note.text()).isNull();
            assertThat(note.authorAgencyId()).isEqualTo("agency-council");
        });
        assertThat(referral.history()).extracting(Referral.StatusChange::reasonText).containsOnlyNulls();
        assertThat(referral.history()).extracting(Referral.StatusChange::reason)
                .containsExactly(null, ReferralReason.OTHER);
        assertThat(referral.status()).isEqualTo(ReferralStatus.REJECTED);
        assertThatThrownBy(() -> referral.addNote(RECEIVER, "Another", NOW)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reroutingCarriesTheSummaryAndWhenItWasTakenUnchanged() {
        SharedSummary summary = new SharedSummary("Amina", null, null, null, null, null, null, null, null, null,
                null, null);
        Referral referral = Referral.submit("lrn-1", "opp-1", "agency-council", "w-1", "agency-college", "needs",
                Urgency.ROUTINE, summary, null, null, NOW,
                new Referral.DueDates(NOW.plus(Duration.ofDays(2)), NOW.plus(Duration.ofDays(5))), null);
        Referral.Rerouting rerouting = referral.reroute(RECEIVER, "opp-2", "agency-adult", null,
                NOW.plusSeconds(3600), new Referral.DueDates(NOW, NOW));
        assertThat(rerouting.next().sharedSummary()).isEqualTo(summary);
        assertThat(rerouting.next().sharedSummaryTakenAt()).isEqualTo(NOW);
    }
}
