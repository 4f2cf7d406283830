package org.pathways.web.pathway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Names;
import org.pathways.web.team.LearnersTeam;
import org.pathways.web.referral.LearnersReferrals;

/**
 * Everything the learner's pathway page shows, gathered through the gateway with the worker's token, so the learner
 * sees exactly what the worker's agency may see: their goals in their own words, what they have achieved (their
 * prior achievements, informal ones included, and milestones), options matched to them (the catalogue's reasons, as
 * codes the page puts into plain words), and their referrals with what happens next. Notes, reasons in an agency's
 * own words and the referral's need are never read: the page is for the learner, not a case file.
 */
@Component
class LearnersPathway {

    private static final Logger log = LoggerFactory.getLogger(LearnersPathway.class);
    /** The catalogue's barrier codes for the profile's, where one exists. */
    private static final Map<String, String> BARRIERS = Map.of("TRANSPORT", "TRAVEL", "CHILDCARE", "CHILDCARE",
            "DIGITAL_ACCESS", "DIGITAL_ACCESS", "MONEY", "COST");
    /** The catalogue's reasons for a match that the page can say in plain words (the others are left out). */
    static final Set<String> PLAIN_REASONS = Set.of("GOAL", "NEXT_LEVEL", "SAME_LEVEL", "LOCAL", "NEARBY", "ONLINE",
            "LANGUAGE", "AVAILABLE", "WAITLIST", "BARRIER_CHILDCARE", "BARRIER_TRAVEL", "BARRIER_COST",
            "BARRIER_DIGITAL_ACCESS", "BARRIER_MOBILITY", "BARRIER_HEARING", "BARRIER_LANGUAGE");

    record Achievement(String title, String learningKind, String level, Boolean accredited, String on) {
    }

    record Step(String milestone, String learningKind, String title, String on, String opportunity) {
    }

    record Option(String id, String title, String provider, String kind, List<String> reasons, List<String> details) {
    }

    record NextStep(String title, String provider, boolean waitlist) {
    }

    record ReferralLine(String id, String opportunity, String provider, String status, String submittedAt,
                        String acknowledgeBy, String decideBy, String reason, List<NextStep> nextSteps) {
    }

    /** A step of the shared plan, as the person reads it: what, who does it, by when, how far it got. */
    record PlanLine(String title, String agency, String dueOn, String status, boolean overdue) {
    }

    /**
     * @param leadAgency the agency of the person's lead worker (workers' names are not kept), or null
     * @param plan       the shared plan's steps the worker's agency may see, dropped ones left out
     */
    record Pathway(String learnerId, String name, String preferredLanguage, String goals, List<String> interests,
                   List<Achievement> achievements, List<Step> steps, List<Option> options,
                   List<ReferralLine> referrals, String leadAgency, List<PlanLine> plan, boolean journeyShared) {
    }

    private final PathwaysApi api;
    private final Names names;
    private final LearnersReferrals learnersReferrals;
    private final LearnersTeam learnersTeam;

    LearnersPathway(PathwaysApi api, Names names, LearnersReferrals learnersReferrals, LearnersTeam learnersTeam) {
        this.api = api;
        this.names = names;
        this.learnersReferrals = learnersReferrals;
        this.learnersTeam = learnersTeam;
    }

    Pathway of(String learnerId) {
        Map<String, Object> learner = api.get("/api/learners/{id}", learnerId);
        List<Map<String, Object>> milestones;
        boolean journeyShared = true;
        try {
            milestones = api.list("/api/learners/{id}/milestones", learnerId);
        } catch (ApiProblem.NotFound notShared) {
            // The timeline is the learner's to share (OUTCOME_SHARING): a lead or team member on another consent
            // still prints the plan, the options and the referrals, and the page says the journey is not shown.
            milestones = List.of();
            journeyShared = false;
        }
        Map<String, String> titles = new HashMap<>();
        Map<String, String> providers = new HashMap<>();

        List<Achievement> achievements = new ArrayList<>();
        for (Map<String, Object> prior : maps(learner.get("priorAchievements"))) {
            achievements.add(new Achievement(text(prior.get("title")), text(prior.get("kind")),
                    text(prior.get("level")), (Boolean) prior.get("accredited"), text(prior.get("achievedOn"))));
        }
        List<Step> steps = new ArrayList<>();
        Set<String> referralIds = new LinkedHashSet<>();
        for (Map<String, Object> milestone : milestones) {
            String kind = text(milestone.get("kind"));
            String opportunityId = text(milestone.get("opportunityId"));
            String opportunity = opportunityId == null ? null : title(opportunityId, titles, providers);
            if ("ACHIEVEMENT_GAINED".equals(kind)) {
                achievements.add(new Achievement(text(milestone.get("title")), text(milestone.get("learningKind")),
                        text(milestone.get("level")), (Boolean) milestone.get("accredited"),
                        text(milestone.get("occurredOn"))));
            }
            steps.add(new Step(kind, text(milestone.get("learningKind")), text(milestone.get("title")),
                    text(milestone.get("occurredOn")), opportunity));
            if (milestone.get("referralId") != null) {
                referralIds.add(milestone.get("referralId").toString());
            }
        }

        List<ReferralLine> referrals = new ArrayList<>();
        for (Map<String, Object> item : referralsOf(learnerId, referralIds)) {
            String status = text(item.get("status"));
            String opportunityId = text(item.get("opportunityId"));
            String receiving = text(item.get("receivingAgencyId"));
            List<NextStep> next = "COMPLETED".equals(status)
                    ? nextSteps(text(item.get("id")), titles, providers) : List.of();
            referrals.add(new ReferralLine(text(item.get("id")), title(opportunityId, titles, providers),
                    agencyName(receiving), status, text(item.get("submittedAt")),
                    text(item.get("acknowledgeBy")), text(item.get("decideBy")), lastReasonCode(item), next));
        }
        referrals.sort(Comparator.comparing(ReferralLine::submittedAt, Comparator.nullsLast(Comparator.reverseOrder())));

        List<Option> options = matches(learner);
        String name = preferredName(learner);
        LearnersTeam.Team team = learnersTeam.of(learnerId, new LearnersTeam.Me("", ""));
        List<PlanLine> plan = team.steps().stream().filter(step -> !"DROPPED".equals(step.status()))
                .map(step -> new PlanLine(step.title(), step.ownerName(), step.dueOn(), step.status(), step.overdue()))
                .toList();
        return new Pathway(learnerId, name, text(learner.get("preferredLanguage")), text(learner.get("goals")),
                strings(learner.get("interests")), achievements, steps, options, referrals,
                team.lead() == null ? null : team.lead().agencyName(), plan, journeyShared);
    }

    /** The learner's referrals my agency made or received (all of them), and any other a milestone names. */
    private List<Map<String, Object>> referralsOf(String learnerId, Set<String> fromMilestones) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        for (Map<String, Object> item : learnersReferrals.of(learnerId)) {
            found.put(item.get("id").toString(), item);
        }
        for (String id : fromMilestones) {
            if (!found.containsKey(id)) {
                try {
                    found.put(id, api.get("/api/referrals/{id}", id));
                } catch (ApiProblem notOurs) {
                    // a referral of another agency (the learner's milestone names it): not ours to show
                    log.debug("Referral not shown on a pathway: {}", notOurs.status());
                }
            }
        }
        return new ArrayList<>(found.values());
    }

    /** The reason code of the referral's last change (a rejection, a failure, a hold), never the agency's words. */
    private static String lastReasonCode(Map<String, Object> referral) {
        List<Map<String, Object>> history = maps(referral.get("history"));
        return history.isEmpty() ? null : text(history.get(history.size() - 1).get("reason"));
    }

    private List<NextStep> nextSteps(String referralId, Map<String, String> titles, Map<String, String> providers) {
        try {
            Map<String, Object> next = api.get("/api/referrals/{id}/next-steps", referralId);
            List<NextStep> steps = new ArrayList<>();
            for (Map<String, Object> suggestion : maps(next.get("suggestions"))) {
                String id = text(suggestion.get("opportunityId"));
                steps.add(new NextStep(title(id, titles, providers),
                        agencyName(text(suggestion.get("providerAgencyId"))),
                        "waitlist".equals(suggestion.get("warning"))));
            }
            return steps;
        } catch (ApiProblem refused) {
            log.debug("No next steps for a pathway: {}", refused.status());
            return List.of();
        }
    }

    private List<Option> matches(Map<String, Object> learner) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("locality", learner.get("localityCode"));
        String language = text(learner.get("preferredLanguage"));
        if (language != null && language.matches("[a-z]{2,3}(-.*)?")) {
            request.put("language", language.substring(0, Math.min(3, language.indexOf('-') < 0 ? language.length()
                    : language.indexOf('-'))));
        }
        List<String> goals = new ArrayList<>();
        String goalText = text(learner.get("goals"));
        if (goalText != null) {
            for (String part : goalText.split("[.;,!?()\\n]+")) {
                String goal = part.strip();
                if (!goal.isEmpty()) {
                    goals.add(goal.length() > 100 ? goal.substring(0, 100) : goal);
                }
            }
        }
        strings(learner.get("interests")).stream().filter(interest -> interest.length() <= 100).forEach(goals::add);
        request.put("goals", goals.stream().limit(20).toList());
        request.put("barriers", strings(learner.get("barriers")).stream().map(BARRIERS::get)
                .filter(code -> code != null).distinct().toList());
        request.put("limit", 5);
        List<Option> options = new ArrayList<>();
        try {
            Map<String, Object> answer = api.post("/api/matches", request).getBody();
            for (Map<String, Object> match : maps(answer == null ? null : answer.get("matches"))) {
                Map<String, Object> opportunity = map(match.get("opportunity"));
                List<String> reasons = new ArrayList<>();
                List<String> details = new ArrayList<>();
                for (Map<String, Object> reason : maps(match.get("reasons"))) {
                    if (!PLAIN_REASONS.contains(text(reason.get("code")))) {
                        continue;
                    }
                    reasons.add(text(reason.get("code")));
                    details.add(text(reason.get("detail")));
                }
                options.add(new Option(text(opportunity.get("id")), text(opportunity.get("title")),
                        agencyName(text(opportunity.get("providerAgencyId"))),
                        text(opportunity.get("kind")), reasons, details));
            }
        } catch (ApiProblem refused) {
            log.debug("No matches for a pathway: {}", refused.status());
        }
        return options;
    }

    private String title(String opportunityId, Map<String, String> titles, Map<String, String> providers) {
        if (opportunityId == null) {
            return null;
        }
        return titles.computeIfAbsent(opportunityId, id -> {
            try {
                Map<String, Object> opportunity = api.get("/api/opportunities/{id}", id);
                providers.put(id, text(opportunity.get("providerAgencyId")));
                return text(opportunity.get("title"));
            } catch (ApiProblem gone) {
                return null;
            }
        });
    }

    private String agencyName(String agencyId) {
        return agencyId == null ? null : names.agency(agencyId);
    }

    private static String preferredName(Map<String, Object> learner) {
        String preferred = text(learner.get("preferredName"));
        return preferred != null ? preferred : text(learner.get("givenName"));
    }

    /** The learner's language as the page's, if we speak it: en or cy. */
    static String pageLanguage(String preferredLanguage) {
        if (preferredLanguage == null) {
            return "en";
        }
        String language = preferredLanguage.toLowerCase(Locale.ROOT);
        return language.startsWith("cy") ? "cy" : "en";
    }

    private static String text(Object value) {
        return value == null ? null : value.toString();
    }

    private static List<String> strings(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<Map<String, Object>> maps = new ArrayList<>();
        list.forEach(item -> {
            if (item instanceof Map<?, ?> map) {
                maps.add((Map<String, Object>) map);
            }
        });
        return maps;
    }
}
