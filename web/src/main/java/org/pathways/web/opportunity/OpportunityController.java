package org.pathways.web.opportunity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;

/**
 * Finding opportunities: the catalogue's search (words, area, kind), and matching for a learner, which sends the
 * catalogue only codes and keywords from the learner's profile (area, language, barriers, goals) and shows the
 * catalogue's reasons for each match and for what it left out. With a learner in hand, each result offers to refer.
 * What the worker typed goes to the API as URI variables, encoded as values ("C++" stays "C++", "{x}" is words, not
 * a template), and a search the catalogue refuses (words too long) is said beside the form, with what was typed.
 */
@Controller
class OpportunityController {

    static final List<String> KINDS = List.of("INFORMAL_LEARNING", "NON_FORMAL_LEARNING", "FORMAL_LEARNING",
            "ADVICE", "HEALTH_AND_WELLBEING", "EMPLOYMENT_SUPPORT", "CHILDCARE", "VOLUNTEERING");

    private final PathwaysApi api;

    OpportunityController(PathwaysApi api) {
        this.api = api;
    }

    @GetMapping("/opportunities")
    String search(@RequestParam(required = false) String q, @RequestParam(required = false) String locality,
                  @RequestParam(required = false) String kind, @RequestParam(required = false) String learner,
                  Model model) {
        model.addAttribute("q", q);
        model.addAttribute("locality", locality);
        model.addAttribute("kind", kind);
        model.addAttribute("learner", learner);
        model.addAttribute("kinds", KINDS);
        if (q != null || locality != null || kind != null) {
            Map<String, Object> words = new LinkedHashMap<>();
            if (q != null && !q.isBlank()) {
                words.put("q", q);
            }
            if (locality != null && !locality.isBlank()) {
                words.put("locality", locality.trim());
            }
            if (kind != null && KINDS.contains(kind)) {
                words.put("kind", kind);
            }
            try {
                Map<String, Object> page = api.get(uri -> {
                    uri.path("/api/opportunities").queryParam("limit", 25);
                    words.keySet().forEach(name -> uri.queryParam(name, "{" + name + "}"));
                    return uri.build(words);
                });
                model.addAttribute("results", page.getOrDefault("items", List.of()));
            } catch (ApiProblem.NotFound notFound) {
                throw notFound;
            } catch (ApiProblem problem) {
                model.addAttribute("problem", problem);
            }
        }
        return "opportunities/search";
    }

    /**
     * The learner's barriers (the profile's words) as the catalogue's matching knows them: transport is its travel,
     * money its cost; caring, confidence and health have no counterpart there, so they are left out of the request
     * (sent as they are, the catalogue refused the whole request, and the page failed for such a learner).
     */
    static final Map<String, String> CATALOGUE_BARRIERS = Map.of("TRANSPORT", "TRAVEL", "MONEY", "COST",
            "CHILDCARE", "CHILDCARE", "DIGITAL_ACCESS", "DIGITAL_ACCESS");

    @GetMapping("/learners/{id}/matches")
    String matches(@PathVariable String id, Model model) {
        Map<String, Object> learner = api.get("/api/learners/{id}", id);
        Map<String, Object> request = new LinkedHashMap<>();
        if (learner.get("localityCode") != null) {
            request.put("locality", learner.get("localityCode"));
        }
        if (learner.get("preferredLanguage") != null) {
            request.put("language", learner.get("preferredLanguage"));
        }
        if (learner.get("barriers") instanceof List<?> barriers && !barriers.isEmpty()) {
            List<String> catalogue = barriers.stream().map(String::valueOf).map(CATALOGUE_BARRIERS::get)
                    .filter(java.util.Objects::nonNull).distinct().toList();
            if (!catalogue.isEmpty()) {
                request.put("barriers", catalogue);
            }
        }
        if (learner.get("goals") instanceof String goals && !goals.isBlank()) {
            // the catalogue takes keywords (each at most 100 characters), never the person's own sentence whole
            request.put("goals", java.util.Arrays.stream(goals.split("[,;\\n]"))
                    .map(String::strip).filter(goal -> !goal.isEmpty())
                    .map(goal -> goal.length() > 100 ? goal.substring(0, 100) : goal).limit(20).toList());
        }
        request.put("limit", 20);
        Map<String, Object> answer = api.post("/api/matches", request).getBody();
        model.addAttribute("learner", learner);
        model.addAttribute("matches", answer.getOrDefault("matches", List.of()));
        model.addAttribute("excluded", answer.getOrDefault("excluded", List.of()));
        return "opportunities/matches";
    }
}
