package org.pathways.learner.domain;

import java.util.List;

import org.pathways.events.agency.AgencyKind;

/**
 * The agency asking to see a learner, with what decides what it may see: its kind as the catalogue announced it
 * (null while unknown) and the learner's open referrals it receives (never those it made).
 */
public record Viewer(String agencyId, AgencyKind kind, List<String> liveReferralIds) {

    public Viewer {
        liveReferralIds = List.copyOf(liveReferralIds);
    }

    /** An agency as seen by itself for a learner it registered: nothing else needed. */
    public static Viewer registering(String agencyId) {
        return new Viewer(agencyId, null, List.of());
    }
}
