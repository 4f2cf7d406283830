package org.pathways.progression.funnel;

import java.util.Map;
import java.util.TreeMap;

import org.bson.Document;
import org.pathways.progression.tally.DurationSketch;

/**
 * Adds up funnel buckets: referrals at every stage, each outcome (by reason), holds, overdue breaches and the
 * response-time sketches. Exact counts: only a report's {@link org.pathways.progression.disclosure.ReportedCount}s
 * leave the service.
 */
final class FunnelTally {

    private final long[] reached = new long[FunnelStage.values().length];
    private final Map<String, Long> rejectedByReason = new TreeMap<>();
    private final Map<String, Long> failedByReason = new TreeMap<>();
    private final Map<String, Long> cancelledByReason = new TreeMap<>();
    private final DurationSketch acknowledge = new DurationSketch();
    private final DurationSketch decision = new DurationSketch();
    private long rejected;
    private long failed;
    private long cancelled;
    private long onHold;
    private long overdueAcknowledge;
    private long overdueDecide;

    void add(Document bucket) {
        for (FunnelStage stage : FunnelStage.values()) {
            reached[stage.ordinal()] += count(bucket, stage.field());
        }
        rejected += count(bucket, "rejected");
        failed += count(bucket, "failed");
        cancelled += count(bucket, "cancelled");
        onHold += count(bucket, "onHold");
        overdueAcknowledge += count(bucket, "overdueAcknowledge");
        overdueDecide += count(bucket, "overdueDecide");
        addEach(bucket.get("rejectedBy", Document.class), rejectedByReason);
        addEach(bucket.get("failedBy", Document.class), failedByReason);
        addEach(bucket.get("cancelledBy", Document.class), cancelledByReason);
        acknowledge.add(bucket.get("acknowledge", Document.class));
        decision.add(bucket.get("decision", Document.class));
    }

    private static long count(Document bucket, String field) {
        return bucket.get(field) instanceof Number n ? n.longValue() : 0;
    }

    private static void addEach(Document counts, Map<String, Long> into) {
        if (counts != null) {
            counts.forEach((key, n) -> {
                long value = ((Number) n).longValue();
                if (value != 0) {
                    into.merge(key, value, Long::sum);
                }
            });
            into.values().removeIf(n -> n == 0);
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

    long overdueAcknowledge() {
        return overdueAcknowledge;
    }

    long overdueDecide() {
        return overdueDecide;
    }

    DurationSketch acknowledge() {
        return acknowledge;
    }

    DurationSketch decision() {
        return decision;
    }
}
