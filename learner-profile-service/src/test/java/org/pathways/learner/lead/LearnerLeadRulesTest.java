package org.pathways.learner.lead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.pathways.events.learner.LeadEndReason;
import org.pathways.platform.problem.ProblemException;

/** The lead's own invariants: one lead at a time, a handover changes nothing until accepted. */
class LearnerLeadRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void oneLeadAtATimeAndAssigningTheSameLeadAgainChangesNothing() {
        LearnerLead lead = LearnerLead.none("lrn-1");
        assertThat(lead.assign("agency-a", "ana", NOW)).isPresent();
        assertThat(lead.assign("agency-a", "ana", NOW)).isEmpty();
        assertThatThrownBy(() -> lead.assign("agency-a", "bo", NOW)).isInstanceOf(ProblemException.class)
                .extracting(e -> ((ProblemException) e).kind()).isEqualTo("lead-already-assigned");
    }

    @Test
    void aHandoverLeavesTheOldLeadUntilAccepted() {
        LearnerLead lead = LearnerLead.none("lrn-1");
        lead.assign("agency-a", "ana", NOW);
        lead.offer("agency-b", "sam", "ana", NOW);
        assertThat(lead.lead().orElseThrow().workerId()).isEqualTo("ana");
        assertThatThrownBy(() -> lead.offer("agency-c", "kim", "ana", NOW))
                .extracting(e -> ((ProblemException) e).kind()).isEqualTo("handover-pending");
        assertThatThrownBy(() -> lead.offer("agency-a", "ana", "ana", NOW))
                .extracting(e -> ((ProblemException) e).kind()).isEqualTo("handover-to-current-lead");

        var handedOver = lead.accept(NOW.plusSeconds(60));
        assertThat(handedOver.fromWorkerId()).isEqualTo("ana");
        assertThat(handedOver.toWorkerId()).isEqualTo("sam");
        assertThat(lead.lead().orElseThrow().agencyId()).isEqualTo("agency-b");
        assertThat(lead.handover()).isEmpty();
    }

    @Test
    void endingTheLeadDropsAWaitingHandover() {
        LearnerLead lead = LearnerLead.none("lrn-1");
        lead.assign("agency-a", "ana", NOW);
        lead.offer("agency-b", "sam", "ana", NOW);
        assertThat(lead.end(LeadEndReason.STANDING_LOST, NOW).reason()).isEqualTo(LeadEndReason.STANDING_LOST);
        assertThat(lead.lead()).isEmpty();
        assertThat(lead.handover()).isEmpty();
        assertThatThrownBy(() -> lead.end(LeadEndReason.STEPPED_DOWN, NOW)).isInstanceOf(ProblemException.class);
    }
}
