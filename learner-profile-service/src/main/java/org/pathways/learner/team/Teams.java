package org.pathways.learner.team;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.pathways.events.agency.AgencyKind;
import org.pathways.events.learner.ConsentPurpose;
import org.pathways.learner.audit.AccessAction;
import org.pathways.learner.audit.AccessAudit;
import org.pathways.learner.audit.AccessRequest;
import org.pathways.learner.lead.LeadView;
import org.pathways.learner.lead.LearnerLead;
import org.pathways.learner.lead.Leads;
import org.pathways.learner.plan.PlanStep;
import org.pathways.learner.plan.Plans;
import org.pathways.learner.domain.Access;
import org.pathways.learner.domain.Consent;
import org.pathways.learner.domain.Learner;
import org.pathways.learner.domain.Learners;
import org.pathways.learner.domain.Milestone;
import org.pathways.learner.relationship.ReferralRelationship;
import org.pathways.learner.relationship.ReferralRelationships;
import org.pathways.learner.standing.Standing;
import org.pathways.messaging.agency.AgencyKinds;
import org.pathways.platform.security.Caller;
import org.springframework.stereotype.Service;

/**
 * Puts the team view together. What each agency sees:
 * <ul>
 * <li>an agency with standing (it registered the learner or holds a consent in force) sees the whole team: the
 * lead and any handover waiting, every agency with its roles, open referrals and plan steps, and duplicate efforts;
 * the latest milestones only if it may read the timeline (the registering agency, or a consent to
 * {@code OUTCOME_SHARING} in force);</li>
 * <li>an agency that only receives an open referral sees itself: its referrals and the steps it owns; no lead, no
 * other agency, no milestones;</li>
 * <li>anyone else gets {@code 404}, as for a learner that does not exist.</li>
 * </ul>
 * An agency is in the team while it has a role: a withdrawn or lapsed consent takes it out at once (unless it has
 * another role); an agency covered by a consent to its kind is listed when it is otherwise involved (a referral, a
 * step, the lead) or is the caller.
 */
@Service
class Teams {

    private static final int LATEST_MILESTONES = 5;

    private final Learners learners;
    private final Leads leads;
    private final Plans plans;
    private final ReferralRelationships relationships;
    private final AgencyKinds agencyKinds;
    private final AccessAudit audit;
    private final Clock clock;

    Teams(Learners learners, Leads leads, Plans plans, ReferralRelationships relationships,
          AgencyKinds agencyKinds, AccessAudit audit, Clock clock) {
        this.learners = learners;
        this.leads = leads;
        this.plans = plans;
        this.relationships = relationships;
        this.agencyKinds = agencyKinds;
        this.audit = audit;
        this.clock = clock;
    }

    TeamView view(Caller caller, String learnerId, AccessRequest request) {
        Access access = learners.access(caller, learnerId);
        Learner learner = access.learner();
        Instant now = clock.instant();
        boolean whole = Standing.hasStanding(access.sharing());
        List<String> learnerIds = new ArrayList<>();
        learnerIds.add(learner.id());
        learner.mergedFrom().forEach(merged -> learnerIds.add(merged.learnerId()));
        List<ReferralRelationship> open = relationships.openOf(learnerIds);
        List<PlanStep> steps = plans.stepsSeenBy(access);
        LearnerLead lead = whole ? leads.current(learner) : null;

        Set<String> candidates = new LinkedHashSet<>();
        candidates.add(learner.registeringAgencyId());
        // Only consents of their own in force: an agency whose own consent ended, covered now only by a consent to its
        // kind, is listed only when otherwise involved, as Standing#mayName decides who may be named.
        learner.consents().stream().filter(consent -> consent.agencyId() != null && consent.isInForceAt(now))
                .map(Consent::agencyId).forEach(candidates::add);
        open.forEach(referral -> {
            addIfPresent(candidates, referral.referringAgencyId());
            addIfPresent(candidates, referral.receivingAgencyId());
        });
        steps.forEach(step -> candidates.add(step.ownerAgencyId()));
        if (lead != null) {
            lead.lead().ifPresent(l -> candidates.add(l.agencyId()));
            lead.handover().ifPresent(h -> candidates.add(h.toAgencyId()));
        }
        candidates.add(caller.agencyId());

        Map<String, AgencyKind> kinds = new LinkedHashMap<>();
        List<TeamView.TeamAgency> agencies = new ArrayList<>();
        for (String agencyId : candidates) {
            if (!whole && !agencyId.equals(caller.agencyId())) {
                continue;
            }
            AgencyKind kind = kinds.computeIfAbsent(agencyId, id -> agencyKinds.kindOf(id).orElse(null));
            Set<TeamRole> roles = EnumSet.noneOf(TeamRole.class);
            if (learner.isRegisteredBy(agencyId)) {
                roles.add(TeamRole.REGISTERING);
            }
            if (learner.consents().stream().anyMatch(consent -> consent.isActiveFor(agencyId, kind, now))) {
                roles.add(TeamRole.CONSENT);
            }
            List<TeamView.OpenReferral> referrals = new ArrayList<>();
            for (ReferralRelationship referral : open) {
                boolean referring = agencyId.equals(referral.referringAgencyId());
                boolean receiving = agencyId.equals(referral.receivingAgencyId());
                if (referring) {
                    roles.add(TeamRole.REFERRING);
                }
                if (receiving) {
                    roles.add(TeamRole.RECEIVING);
                }
                // An agency that only reads the learner sees the referrals it receives, not those made to others.
                if (receiving || (referring && whole)) {
                    referrals.add(new TeamView.OpenReferral(referral.referralId(), referral.opportunityId(),
                            referral.status(), referral.referringAgencyId(), referral.receivingAgencyId()));
                }
            }
            if (roles.isEmpty()) {
                continue;
            }
            List<String> stepIds = steps.stream().filter(step -> step.ownerAgencyId().equals(agencyId))
                    .map(PlanStep::id).toList();
            agencies.add(new TeamView.TeamAgency(agencyId, List.copyOf(roles), referrals, stepIds));
        }
        agencies.sort(Comparator.comparing((TeamView.TeamAgency agency) -> !agency.roles()
                .contains(TeamRole.REGISTERING)).thenComparing(TeamView.TeamAgency::agencyId));

        LeadView leadView = lead == null ? null : LeadView.of(lead);
        List<TeamView.MilestonePart> milestones = whole && readsTimeline(access, learner, now)
                ? learner.milestones().stream()
                .sorted(Comparator.comparing(Milestone::occurredOn).thenComparing(Milestone::recordedAt).reversed())
                .limit(LATEST_MILESTONES)
                .map(m -> new TeamView.MilestonePart(m.id(), m.kind().name(), m.occurredOn(), m.recordedByAgencyId()))
                .toList()
                : List.of();
        List<TeamView.DuplicateEffort> duplicates = whole ? duplicateEfforts(open, kinds) : List.of();
        audit.record(caller, learnerId, AccessAction.READ_TEAM, request, access.grounds());
        return new TeamView(learner.id(), leadView == null ? null : leadView.lead(),
                leadView == null ? null : leadView.pendingHandover(), agencies, milestones, duplicates);
    }

    /** The timeline's rule: the registering agency, or a consent to outcome sharing in force. */
    private static boolean readsTimeline(Access access, Learner learner, Instant now) {
        return access.sharing().registering() || learner.consentFor(access.viewer().agencyId(),
                access.viewer().kind(), ConsentPurpose.OUTCOME_SHARING, now).isPresent();
    }

    /** Groups of two or more open referrals to the same opportunity, agency or kind of agency; each group once. */
    private List<TeamView.DuplicateEffort> duplicateEfforts(List<ReferralRelationship> open,
                                                           Map<String, AgencyKind> kinds) {
        List<TeamView.DuplicateEffort> efforts = new ArrayList<>();
        Set<Set<String>> named = new HashSet<>();
        group(open, ReferralRelationship::opportunityId, DuplicateReason.SAME_OPPORTUNITY, efforts, named);
        group(open, ReferralRelationship::receivingAgencyId, DuplicateReason.SAME_AGENCY, efforts, named);
        group(open, referral -> referral.receivingAgencyId() == null ? null
                : kinds.computeIfAbsent(referral.receivingAgencyId(),
                id -> agencyKinds.kindOf(id).orElse(null)), DuplicateReason.SAME_AGENCY_KIND, efforts, named);
        return efforts;
    }

    private static void group(List<ReferralRelationship> open, Function<ReferralRelationship, Object> key,
                              DuplicateReason reason, List<TeamView.DuplicateEffort> efforts, Set<Set<String>> named) {
        Map<Object, List<String>> groups = open.stream().filter(referral -> key.apply(referral) != null)
                .collect(Collectors.groupingBy(key, LinkedHashMap::new,
                        Collectors.mapping(ReferralRelationship::referralId, Collectors.toList())));
        for (List<String> referralIds : groups.values()) {
            if (referralIds.size() > 1 && named.add(Set.copyOf(referralIds))) {
                efforts.add(new TeamView.DuplicateEffort(reason, List.copyOf(referralIds)));
            }
        }
    }

    private static void addIfPresent(Set<String> agencies, String agencyId) {
        if (agencyId != null) {
            agencies.add(agencyId);
        }
    }
}
