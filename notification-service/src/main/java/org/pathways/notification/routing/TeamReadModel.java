package org.pathways.notification.routing;

import java.util.Set;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.index.Indexed;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What this service remembers of a learner's team, from the learner events, to route the team's events: ids and
 * codes only, forgotten when the learner is erased.
 */
final class TeamReadModel {

    private TeamReadModel() {
    }

    /** The learner's lead worker now (their agency and worker id), from lead-assigned / -handed-over / -ended. */
    @Document("learner_leads")
    record Lead(@Id String learnerId, String agencyId, String workerId) {
    }

    /**
     * A step of a learner's plan: who owns it, the referral it follows, if any, and its status now (from the latest
     * {@code plan-step-added} or {@code -changed}, which both carry it).
     */
    @Document("plan_steps")
    record Step(@Id String stepId, @Indexed String learnerId, String ownerAgencyId, String referralId,
                String status) {

        /**
         * Still to be done ({@code PLANNED} or {@code DOING}). A closed step ({@code DONE}, {@code DROPPED}) is never
         * handed back when its owner leaves the learner's team (the learner-profile-service hands back open steps
         * only), so it says nothing of whether its owner may still hear of the learner; a status this version does
         * not know counts as closed, for the same reason.
         */
        boolean isOpen() {
            return "PLANNED".equals(status) || "DOING".equals(status);
        }
    }

    /** The steps that follow a referral, keyed by the referral, so a referral event finds them by {@code _id}. */
    @Document("plan_referrals")
    record StepsOfReferral(@Id String referralId, @Indexed String learnerId, Set<String> stepIds) {
    }
}
