package org.pathways.referral.domain;

import java.util.Set;

import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;

/**
 * Who acts on a referral: a user of an agency, on the sides of the referral that agency stands on (an agency
 * referring to itself stands on both), or the platform acting on a rule (consent withdrawn).
 */
public record Actor(String userId, String agencyId, Set<ReferralAction.Side> sides) {

    public static final String PLATFORM_USER = "pathways";

    public static Actor platform() {
        return new Actor(PLATFORM_USER, PLATFORM_USER, Set.of(ReferralAction.Side.PLATFORM));
    }

    /** A caller acting on a referral; only workers and agency systems act for their agency. */
    public static Actor of(Caller caller, Referral referral) {
        boolean mayAct = caller.has(Role.WORKER) || caller.has(Role.AGENCY_SYSTEM);
        return new Actor(caller.userId(), caller.agencyId(),
                mayAct ? referral.sidesOf(caller.agencyId()) : Set.of());
    }

    public boolean standsOn(ReferralAction.Side side) {
        return sides.contains(side);
    }
}
