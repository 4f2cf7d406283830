package org.pathways.referral.submission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralCancelled;
import org.pathways.events.referral.ReferralPutOnHold;
import org.pathways.events.referral.ReferralReason;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.SlaBreach;
import org.pathways.events.referral.Urgency;
import org.pathways.referral.lifecycle.Actor;
import org.pathways.referral.lifecycle.InvalidReason;
import org.pathways.referral.lifecycle.ReferralAction;
import org.pathways.referral.lifecycle.TransitionRefused;

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
}
