package org.pathways.referral.domain;

import java.util.List;

/** A referral refused a change: not allowed now, or not to this actor. Carries what the actor may do instead. */
public class TransitionRefused extends RuntimeException {

    private final List<ReferralAction> allowed;

    public TransitionRefused(String message, List<ReferralAction> allowed) {
        super(message);
        this.allowed = List.copyOf(allowed);
    }

    public List<ReferralAction> allowed() {
        return allowed;
    }
}
