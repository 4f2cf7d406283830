package org.pathways.progression.funnel;

import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;

/**
 * Counts referrals through the funnel: a referral counts at every stage up to its furthest, and once for each
 * outcome it had (rejected by reason, failed, cancelled, ever on hold). Exact counts: only a report's
 * {@link org.pathways.progression.disclosure.ReportedCount}s leave the service.
 */
final class FunnelTally {

    private final long[] reached = new long[FunnelStage.values().length];
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private final Map<String, Long> failedByReason = new TreeMap<>();
    private final Map<String, Long> cancelledByReason = new TreeMap<>();
    private long rejected;
    private long failed;
    private long cancelled;
    private long onHold;

    void add(Document referral) {
        int stage = referral.getInteger("stage", FunnelStage.SUBMITTED.rank());
        for (int i = 0; i < stage && i < reached.length; i++) {
            reached[i]++;
        }
        if (referral.get("rejectedAt") != null) {
            rejected++;
            rejectedByReason.merge(referral.get("rejectedReason", "UNSPECIFIED"), 1L, Long::sum);
        }
        if (referral.get("failedAt") != null) {
            failed++;
            failedByReason.merge(referral.get("failedReason", "UNSPECIFIED"), 1L, Long::sum);
        }
        if (referral.get("cancelledAt") != null) {
            cancelled++;
            cancelledByReason.merge(referral.get("cancelledReason", "UNSPECIFIED"), 1L, Long::sum);
        }
        if (referral.get("onHoldAt") != null) {
            onHold++;
        }
    }

    long reached(FunnelStage stage) {
        return reached[stage.ordinal()];
    }

    Map<String, Long> rejectedByReason() {
        return Map.copyOf(rejectedByReason);
    }

    Map<String, Long> failedByReason() {
        return Map.copyOf(failedByReason);
    }

    Map<String, Long> cancelledByReason() {
        return Map.copyOf(cancelledByReason);
    }

    long rejected() {
        return rejected;
    }

    long failed() {
        return failed;
    }

    long cancelled() {
        return cancelled;
    }

    long onHold() {
        return onHold;
    }
}
