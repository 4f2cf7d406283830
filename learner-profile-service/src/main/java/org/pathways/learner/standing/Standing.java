package org.pathways.learner.standing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
import org.pathways.learner.relationship.ReferralRelationship;
import org.pathways.learner.relationship.ReferralRelationships;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * How one agency stands towards one learner now. An agency <em>has standing</em> when it registered the learner or
 * holds a consent in force (to itself or to its kind, for any purpose); an agency that only receives an open
 * referral of the learner <em>reads</em> them, and is a member of the learner's team, but has no standing: it
 * cannot lead, add plan steps or see the rest of the team.
 */
@Service
public class Standing {

    private final Learners learners;
    private final ReferralRelationships relationships;
    private final ObjectProvider<TeamInvolvement> involvements;

    Standing(Learners learners, ReferralRelationships relationships, ObjectProvider<TeamInvolvement> involvements) {
        this.learners = learners;
        this.relationships = relationships;
        this.involvements = involvements;
    }

    /** What {@code agencyId} may see of {@code learner} at {@code at}. */
    public Sharing of(Learner learner, String agencyId, Instant at) {
        return learner.sharingWith(learners.viewer(agencyId, learner), at);
    }

    /** Whether {@code agencyId} registered the learner or holds a consent in force at {@code at}. */
    public boolean has(Learner learner, String agencyId, Instant at) {
        return hasStanding(of(learner, agencyId, at));
    }

    /** Whether {@code agencyId} is in the learner's team at {@code at}: standing, or an open referral it receives. */
    public boolean isTeamMember(Learner learner, String agencyId, Instant at) {
        return of(learner, agencyId, at).any();
    }

    /**
     * Whether the caller ({@code caller}, as it sees the learner) may name {@code agencyId} as one of the learner's
     * team at {@code at} (a plan step's owner, the agency the lead is offered to): {@code agencyId} is in the team
     * (with {@code standingNeeded}, has standing), and the caller may know so, by the team view's rule. The
     * registering agency sees every consent, so every member; an agency with standing sees the registering agency,
     * agencies with a consent of their own in force, both sides of each open referral, the lead and the agency a
     * handover waits for, the owners of plan steps, and itself, but not which agencies a consent to a kind covers; an
     * agency that only reads the learner sees itself and the registering agency. Anyone else is refused the same way
     * as an agency with no grounds at all: an agency covered only by a consent to its kind, not otherwise involved,
     * is not a member to a caller that could not see it, or the answer would tell which kinds the learner consented to.
     */
    public boolean mayName(Access caller, String agencyId, boolean standingNeeded, Instant at) {
        Learner learner = caller.learner();
        Sharing target = of(learner, agencyId, at);
        if (standingNeeded ? !hasStanding(target) : !target.any()) {
            return false;
        }
        if (caller.sharing().registering() || learner.isRegisteredBy(agencyId)
                || agencyId.equals(caller.viewer().agencyId())) {
            return true;
        }
        if (!hasStanding(caller.sharing())) {
            return false;
        }
        boolean ownConsent = learner.consents().stream()
                .anyMatch(consent -> agencyId.equals(consent.agencyId()) && consent.isInForceAt(at));
        boolean receiving = target.grounds().stream().anyMatch(ground -> ground.startsWith("referral:"));
        return ownConsent || receiving || involved(learner).contains(agencyId);
    }

    /** The agencies the team view lists beside those with grounds of their own: referral parties, lead, owners. */
    private List<String> involved(Learner learner) {
        List<String> learnerIds = new ArrayList<>();
        learnerIds.add(learner.id());
        learner.mergedFrom().forEach(merged -> learnerIds.add(merged.learnerId()));
        List<String> involved = new ArrayList<>();
        for (ReferralRelationship referral : relationships.openOf(learnerIds)) {
            involved.add(referral.referringAgencyId());
            involved.add(referral.receivingAgencyId());
        }
        involvements.forEach(feature -> involved.addAll(feature.agenciesInvolvedWith(learner)));
        return involved;
    }

    /** Standing, read from what an agency may see: registration or a consent in force (not only referrals). */
    public static boolean hasStanding(Sharing sharing) {
        return sharing.any() && !sharing.readOnly();
    }
}
