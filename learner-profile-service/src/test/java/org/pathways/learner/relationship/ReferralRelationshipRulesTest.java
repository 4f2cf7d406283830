package org.pathways.learner.relationship;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.events.referral.ReferralStatus;

class ReferralRelationshipRulesTest {

    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    private static ReferralRelationship at(ReferralStatus status, Instant asOf) {
        return new ReferralRelationship("ref-1", "lrn-1", "agency-a", "agency-b", status, asOf, "opp-1", null);
    }

    @Test
    void anOpenReferralOpensTheRecordToTheReceivingAgencyOnlyNeverToTheReferrer() {
        for (ReferralStatus status : ReferralStatus.values()) {
            assertThat(at(status, T).isLive()).as(status.name()).isEqualTo(status.open());
            assertThat(at(status, T).opensTo("agency-b")).as(status.name()).isEqualTo(status.open());
            assertThat(at(status, T).opensTo("agency-a")).as("the referrer, " + status.name()).isFalse();
        }
        assertThat(at(ReferralStatus.ACCEPTED, T).opensTo("agency-c")).isFalse();
    }

    @Test
    void newerNewsReplacesOlderButOlderNewsArrivingLateDoesNot() {
        ReferralRelationship received = at(ReferralStatus.RECEIVED, T);
        assertThat(received.isSupersededBy(ReferralStatus.ACCEPTED, T.plusSeconds(1))).isTrue();
        assertThat(received.isSupersededBy(ReferralStatus.ACCEPTED, T)).as("same time: applied").isTrue();
        assertThat(received.isSupersededBy(ReferralStatus.SUBMITTED, T.minusSeconds(1))).isFalse();
    }

    @Test
    void aCloseAlwaysAppliesAndAClosedReferralNeverReopens() {
        assertThat(at(ReferralStatus.IN_PROGRESS, T).isSupersededBy(ReferralStatus.CANCELLED, T.minusSeconds(60)))
                .isTrue();
        for (ReferralStatus closed : new ReferralStatus[] {ReferralStatus.COMPLETED, ReferralStatus.FAILED,
                ReferralStatus.CANCELLED, ReferralStatus.REJECTED}) {
            ReferralRelationship ended = at(closed, T);
            assertThat(ended.isSupersededBy(ReferralStatus.ACCEPTED, T.plusSeconds(60))).as(closed.name()).isFalse();
            assertThat(ended.isSupersededBy(ReferralStatus.SUBMITTED, T.minusSeconds(60))).isFalse();
        }
    }
}
