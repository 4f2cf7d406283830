package org.pathways.progression.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;

class FunnelTallyTest {

    @Test
    void addsUpBucketsStageByStageAndOutcomesByReason() {
        FunnelTally tally = new FunnelTally();
        tally.add(new Document("submitted", 3).append("received", 2).append("accepted", 2).append("started", 1)
                .append("completed", 1).append("rejected", 1)
                .append("rejectedBy", new Document("NO_CAPACITY", 1)));
        tally.add(new Document("submitted", 2L).append("received", 1L).append("failed", 1).append("onHold", 1)
                .append("rejectedBy", new Document("NO_CAPACITY", 0).append("NOT_ELIGIBLE", 1)));

        assertThat(tally.reached(FunnelStage.SUBMITTED)).isEqualTo(5);
        assertThat(tally.reached(FunnelStage.RECEIVED)).isEqualTo(3);
        assertThat(tally.reached(FunnelStage.ACCEPTED)).isEqualTo(2);
        assertThat(tally.reached(FunnelStage.COMPLETED)).isEqualTo(1);
        // A reason whose count went back to 0 (a referral moved to another bucket) is not listed.
        assertThat(tally.rejectedByReason()).containsOnly(Map.entry("NO_CAPACITY", 1L),
                Map.entry("NOT_ELIGIBLE", 1L));
        assertThat(tally.failed()).isEqualTo(1);
        assertThat(tally.onHold()).isEqualTo(1);
    }
}
