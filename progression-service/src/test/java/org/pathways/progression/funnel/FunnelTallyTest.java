package org.pathways.progression.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Date;

import org.bson.Document;
import org.junit.jupiter.api.Test;

class FunnelTallyTest {

    @Test
    void countsAReferralAtEveryStageUpToItsFurthestAndEachOutcomeOnce() {
        FunnelTally tally = new FunnelTally();
        tally.add(new Document("stage", FunnelStage.COMPLETED.rank()));
        tally.add(new Document("stage", FunnelStage.SUBMITTED.rank()).append("rejectedAt", new Date())
                .append("rejectedReason", "NO_CAPACITY"));
        tally.add(new Document("stage", FunnelStage.ACCEPTED.rank()).append("failedAt", new Date())
                .append("onHoldAt", new Date()));

        assertThat(tally.reached(FunnelStage.SUBMITTED)).isEqualTo(3);
        assertThat(tally.reached(FunnelStage.RECEIVED)).isEqualTo(2);
        assertThat(tally.reached(FunnelStage.ACCEPTED)).isEqualTo(2);
        assertThat(tally.reached(FunnelStage.STARTED)).isEqualTo(1);
        assertThat(tally.reached(FunnelStage.COMPLETED)).isEqualTo(1);
        assertThat(tally.rejectedByReason()).containsExactly(java.util.Map.entry("NO_CAPACITY", 1L));
        assertThat(tally.failed()).isEqualTo(1);
        assertThat(tally.onHold()).isEqualTo(1);
    }
}
