package org.pathways.progression.funnel;

import java.util.Locale;

/**
 * The steps of a referral's funnel, in order. A referral that reached a step passed every earlier one, whatever
 * order its events arrived in: a referral's furthest step is the maximum over its events.
 */
public enum FunnelStage {
    SUBMITTED, RECEIVED, ACCEPTED, STARTED, COMPLETED;

    /** Stored rank: 1 for submitted .. 5 for completed (the furthest is kept). */
    public int rank() {
        return ordinal() + 1;
    }

    /** The bucket field counting referrals that reached this stage. */
    public String field() {
        return name().toLowerCase(Locale.ROOT);
    }
}
