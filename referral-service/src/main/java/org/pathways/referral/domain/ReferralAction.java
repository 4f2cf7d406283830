package org.pathways.referral.domain;

import java.util.EnumSet;
import java.util.Set;

import org.pathways.events.referral.ReferralReason;

/**
 * What an agency can do to a referral, and which side of it may: the referring agency submits and cancels; the
 * receiving agency answers. The platform itself (consent withdrawal, re-routing) may hold or cancel.
 */
public enum ReferralAction {
    RECEIVE(Side.RECEIVING),
    ACCEPT(Side.RECEIVING),
    REJECT(Side.RECEIVING, ReferralReason.NOT_ELIGIBLE, ReferralReason.NO_CAPACITY, ReferralReason.COULD_NOT_CONTACT,
            ReferralReason.LEARNER_DECLINED, ReferralReason.DUPLICATE, ReferralReason.OTHER),
    START(Side.RECEIVING),
    HOLD(Side.RECEIVING, ReferralReason.WAITLISTED),
    RESUME(Side.RECEIVING),
    COMPLETE(Side.RECEIVING),
    FAIL(Side.RECEIVING, ReferralReason.DID_NOT_START, ReferralReason.LEFT_EARLY),
    CANCEL(Side.REFERRING);

    /** Which side of a referral an actor stands on. */
    public enum Side { REFERRING, RECEIVING, PLATFORM }

    private final Side side;
    private final Set<ReferralReason> reasons;

    ReferralAction(Side side, ReferralReason... reasons) {
        this.side = side;
        this.reasons = reasons.length == 0 ? EnumSet.noneOf(ReferralReason.class) : EnumSet.of(reasons[0], reasons);
    }

    /** The side whose turn this action is. */
    public Side side() {
        return side;
    }

    /** Whether the action needs a reason code (a rejection or a failure always says why). */
    public boolean needsReason() {
        return this == REJECT || this == FAIL;
    }

    /** The reason codes an agency may give for this action; an action without codes takes none. */
    public Set<ReferralReason> reasons() {
        return reasons;
    }
}
