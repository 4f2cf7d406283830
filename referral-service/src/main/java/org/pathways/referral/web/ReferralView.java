package org.pathways.referral.web;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.events.referral.Urgency;
import org.pathways.platform.security.Caller;
import org.pathways.platform.security.Role;
import org.pathways.referral.domain.Actor;
import org.pathways.referral.domain.Referral;
import org.pathways.referral.domain.ReferralAction;
import org.pathways.referral.domain.SharedSummary;

/**
 * A referral as the API shows it. The worker's free-text need and the history (with its reasons' text) are shown
 * only to the two agencies party to it, with what the caller may do next; the shared summary (personal data) only to
 * their workers and systems; coordinators see the metadata without any of them. {@code erasedAt} tells everyone who
 * may see the referral that the learner's personal data was erased from it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ReferralView(String id, Long version, String learnerId, String opportunityId, String referringAgencyId,
                           String receivingAgencyId, String need, Urgency urgency, ReferralStatus status,
                           Instant submittedAt, Instant acknowledgeBy, Instant decideBy, String previousReferralId,
                           String nextReferralId, SharedSummary sharedSummary, Instant sharedSummaryTakenAt,
                           Instant erasedAt, List<ReferralAction> allowedActions,
                           List<Referral.StatusChange> history, List<String> warnings) {

    /**
     * Whether the caller's roles let them see a referral's personal data (the need, the history's reasons, the
     * shared summary, the handoff notes) when their agency is party to it: workers and the agency's own systems do;
     * its admins, coordinators and platform administrators see the metadata only, like a coordinator.
     */
    public static boolean seesPersonalData(Caller caller) {
        return caller.has(Role.WORKER) || caller.has(Role.AGENCY_SYSTEM);
    }

    /** The view of a caller of one of the two agencies. */
    public static ReferralView forParty(Referral referral, Caller caller, List<String> warnings) {
        boolean seesSummary = referral.isPartyTo(caller.agencyId()) && seesPersonalData(caller);
        return new ReferralView(referral.id(), referral.version(), referral.learnerId(), referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), referral.need(), referral.urgency(),
                referral.status(), referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(),
                referral.previousReferralId(), referral.nextReferralId(),
                seesSummary ? referral.sharedSummary() : null,
                seesSummary ? referral.sharedSummaryTakenAt() : null,
                referral.erasedAt(), referral.allowedActionsFor(Actor.of(caller, referral)), referral.history(),
                warnings.isEmpty() ? null : warnings);
    }

    /**
     * The view of a caller of one of the two agencies whose agency has no standing for the learner now (its consent
     * withdrawn or lapsed, {@link PartyStanding}): the referral's course, reason codes and what the caller may do, but
     * not the need, the shared summary or the words given with the reasons.
     */
    public static ReferralView forPartyWithoutStanding(Referral referral, Caller caller) {
        return new ReferralView(referral.id(), referral.version(), referral.learnerId(), referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), null, referral.urgency(),
                referral.status(), referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(),
                referral.previousReferralId(), null, null, null, referral.erasedAt(),
                referral.allowedActionsFor(Actor.of(caller, referral)), withoutWords(referral.history()), null);
    }

    /** The history with the codes and without the words given with them. */
    public static List<Referral.StatusChange> withoutWords(List<Referral.StatusChange> history) {
        return history.stream().map(change -> new Referral.StatusChange(change.status(), change.at(), change.byUser(),
                change.byAgency(), change.action(), change.reason(), null)).toList();
    }

    /** This view without the next referral's id: where the person went next is not the caller's to know. */
    public ReferralView withoutNext() {
        return new ReferralView(id, version, learnerId, opportunityId, referringAgencyId, receivingAgencyId, need,
                urgency, status, submittedAt, acknowledgeBy, decideBy, previousReferralId, null, sharedSummary,
                sharedSummaryTakenAt, erasedAt, allowedActions, history, warnings);
    }

    public static ReferralView forCoordinator(Referral referral) {
        return new ReferralView(referral.id(), referral.version(), null, referral.opportunityId(),
                referral.referringAgencyId(), referral.receivingAgencyId(), null, referral.urgency(),
                referral.status(), referral.submittedAt(), referral.acknowledgeBy(), referral.decideBy(),
                referral.previousReferralId(), referral.nextReferralId(), null, null, referral.erasedAt(), null,
                null, null);
    }
}
