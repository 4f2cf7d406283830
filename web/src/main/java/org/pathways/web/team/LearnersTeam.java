package org.pathways.web.team;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Names;

/**
 * Reads a learner's team ({@code GET /api/learners/{id}/team}) and shared plan ({@code GET .../plan}, with its ETag
 * for the changes the page offers) as the worker's agency may see them, and puts agency names (from the catalogue)
 * beside the ids. A part the API refuses is left out of the page, never guessed.
 */
@Component
public class LearnersTeam {

    /** The plan statuses, in the order a step goes through them. */
    public static final List<String> STATUSES = List.of("PLANNED", "DOING", "DONE", "DROPPED");

    private final PathwaysApi api;
    private final Names names;

    LearnersTeam(PathwaysApi api, Names names) {
        this.api = api;
        this.names = names;
    }

    /** Who the worker is: their agency and sign-in subject, to say "you" and to offer what is theirs to do. */
    public record Me(String agencyId, String workerId) {

        /** The worker signed in, as the API knows them: the agency they act for and their sign-in subject. */
        public static Me of(org.springframework.security.oauth2.core.oidc.user.OidcUser user) {
            Object agency = user == null ? null : user.getClaims().get("agency");
            return new Me(agency == null ? "" : agency.toString(), user == null ? "" : user.getSubject());
        }
    }

    public record Lead(String agencyId, String agencyName, String workerId, String since, boolean mine,
                       boolean myAgency) {
    }

    public record Handover(String fromAgencyId, String fromAgencyName, String fromWorkerId, String toAgencyId,
                           String toAgencyName, String toWorkerId, String offeredAt, boolean forMe,
                           boolean offeredByMyAgency) {
    }

    public record OpenReferral(String referralId, String status, String referringAgencyName,
                               String receivingAgencyName, String duplicateReason) {
    }

    public record TeamAgency(String agencyId, String name, List<String> roles, List<OpenReferral> openReferrals,
                             int planSteps, boolean mine) {
    }

    public record Duplicate(String reason, List<String> referralIds) {
    }

    public record Step(String stepId, String title, String ownerAgencyId, String ownerName, String dueOn,
                       String status, String referralId, boolean overdue, boolean mayChange) {
    }

    /**
     * @param etag the plan's version as the API gave it, sent back as {@code If-Match} by the forms
     * @param available whether the API showed the team and plan at all
     */
    public record Team(boolean available, Lead lead, Handover handover, List<TeamAgency> agencies,
                       List<Duplicate> duplicates, String goals, List<Step> steps, String etag, boolean iAmLead,
                       boolean myAgencyInTeam) {

        static Team unavailable() {
            return new Team(false, null, null, List.of(), List.of(), null, List.of(), null, false, false);
        }

        public boolean hasSteps() {
            return !steps.isEmpty();
        }
    }

    /**
     * The learner's team and plan as {@code me}'s agency may see them; called after the learner itself was read, so a
     * refusal here hides the team and plan, not the page.
     */
    public Team of(String learnerId, Me me) {
        Map<String, Object> team;
        try {
            team = api.get("/api/learners/{id}/team", learnerId);
        } catch (ApiProblem refused) {
            // The page already read the learner: a team the API does not show (yet) leaves the rest of it standing.
            return Team.unavailable();
        }
        Lead lead = lead(map(team.get("lead")), me);
        Handover handover = handover(map(team.get("pendingHandover")), me);

        Map<String, String> duplicateOf = new HashMap<>();
        List<Duplicate> duplicates = new ArrayList<>();
        for (Map<String, Object> effort : maps(team.get("duplicateEfforts"))) {
            String reason = text(effort.get("reason"));
            List<String> ids = strings(effort.get("referralIds"));
            duplicates.add(new Duplicate(reason, ids));
            ids.forEach(id -> duplicateOf.putIfAbsent(id, reason));
        }
        List<TeamAgency> agencies = new ArrayList<>();
        Set<String> seenReferrals = new LinkedHashSet<>();
        for (Map<String, Object> agency : maps(team.get("agencies"))) {
            String agencyId = text(agency.get("agencyId"));
            List<OpenReferral> open = new ArrayList<>();
            for (Map<String, Object> referral : maps(agency.get("openReferrals"))) {
                String id = text(referral.get("referralId"));
                seenReferrals.add(id);
                open.add(new OpenReferral(id, text(referral.get("status")),
                        agencyName(text(referral.get("referringAgencyId"))),
                        agencyName(text(referral.get("receivingAgencyId"))), duplicateOf.get(id)));
            }
            agencies.add(new TeamAgency(agencyId, agencyName(agencyId), strings(agency.get("roles")), open,
                    strings(agency.get("planStepIds")).size(), Objects.equals(agencyId, me.agencyId())));
        }
        boolean inTeam = agencies.stream().anyMatch(TeamAgency::mine);
        boolean iAmLead = lead != null && lead.mine();
        boolean myAgencyLeads = lead != null && lead.myAgency();

        String goals = null;
        List<Step> steps = new ArrayList<>();
        String etag = null;
        try {
            var plan = api.getWithHeaders(uri -> uri.path("/api/learners/{id}/plan").build(learnerId));
            etag = plan.getHeaders().getFirst(HttpHeaders.ETAG);
            goals = text(plan.getBody().get("goals"));
            for (Map<String, Object> step : maps(plan.getBody().get("steps"))) {
                String owner = text(step.get("ownerAgencyId"));
                steps.add(new Step(text(step.get("stepId")), text(step.get("title")), owner, agencyName(owner),
                        text(step.get("dueOn")), text(step.get("status")), text(step.get("referralId")),
                        Boolean.TRUE.equals(step.get("overdue")),
                        Objects.equals(owner, me.agencyId()) || myAgencyLeads));
            }
        } catch (ApiProblem refused) {
            // No plan the agency may see: the team alone.
        }
        return new Team(true, lead, handover, agencies, duplicates, goals, steps, etag, iAmLead, inTeam);
    }

    private Lead lead(Map<String, Object> lead, Me me) {
        if (lead.isEmpty()) {
            return null;
        }
        String agency = text(lead.get("agencyId"));
        String worker = text(lead.get("workerId"));
        boolean myAgency = Objects.equals(agency, me.agencyId());
        return new Lead(agency, agencyName(agency), worker, text(lead.get("since")),
                myAgency && Objects.equals(worker, me.workerId()), myAgency);
    }

    private Handover handover(Map<String, Object> handover, Me me) {
        if (handover.isEmpty()) {
            return null;
        }
        String from = text(handover.get("fromAgencyId"));
        String to = text(handover.get("toAgencyId"));
        String toWorker = text(handover.get("toWorkerId"));
        return new Handover(from, agencyName(from), text(handover.get("fromWorkerId")), to, agencyName(to),
                toWorker, text(handover.get("offeredAt")),
                Objects.equals(to, me.agencyId()) && Objects.equals(toWorker, me.workerId()),
                Objects.equals(from, me.agencyId()));
    }

    /** The agency's name from the catalogue, or its id if the catalogue does not know it. */
    private String agencyName(String agencyId) {
        return agencyId == null ? null : names.agency(agencyId);
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        ((Map<Object, Object>) map).forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }

    private static List<Map<String, Object>> maps(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<Map<String, Object>> maps = new ArrayList<>();
        list.forEach(item -> {
            if (item instanceof Map<?, ?>) {
                maps.add(map(item));
            }
        });
        return maps;
    }
}
