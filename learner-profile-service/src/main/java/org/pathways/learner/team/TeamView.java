package org.pathways.learner.team;

import java.time.LocalDate;
import java.util.List;

import org.pathways.events.referral.ReferralStatus;
import org.pathways.learner.lead.LeadView;

/**
 * {@code GET /api/learners/{id}/team}, as one agency may see it. Parts it may not see are null or empty.
 *
 * @param agencies the agencies working with the learner, registering agency first, then by id
 */
public record TeamView(String learnerId, LeadView.LeadPart lead, LeadView.HandoverPart pendingHandover,
                       List<TeamAgency> agencies, List<MilestonePart> latestMilestones,
                       List<DuplicateEffort> duplicateEfforts) {

    public record TeamAgency(String agencyId, List<TeamRole> roles, List<OpenReferral> openReferrals,
                             List<String> planStepIds) {
    }

    /** An open referral the agency is a side of. */
    public record OpenReferral(String referralId, String opportunityId, ReferralStatus status,
                               String referringAgencyId, String receivingAgencyId) {
    }

    /** A milestone without its title (an achievement's title is read on the timeline). */
    public record MilestonePart(String milestoneId, String kind, LocalDate occurredOn, String recordedByAgencyId) {
    }

    public record DuplicateEffort(DuplicateReason reason, List<String> referralIds) {
    }
}
