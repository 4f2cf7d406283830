package org.pathways.learner.standing;

import java.time.Instant;

import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Sharing;
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

    Standing(Learners learners) {
        this.learners = learners;
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

    /** Standing, read from what an agency may see: registration or a consent in force (not only referrals). */
    public static boolean hasStanding(Sharing sharing) {
        return sharing.any() && !sharing.readOnly();
    }
}
