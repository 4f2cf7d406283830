package org.pathways.web.team;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Controller;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriUtils;

import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Problems;
import org.pathways.web.page.RefusedForm;

/**
 * The changes a worker makes to a learner's team and plan from the learner's page: take the lead, step down, offer
 * the lead to a named worker, accept or decline a handover offered to them, add a step, change a step's status. A
 * plan change sends the plan's version the page showed ({@code If-Match}): if someone changed the plan meanwhile,
 * the page says so and shows it as it is now, and nothing is overwritten. What is allowed is the API's decision.
 */
@Controller
class TeamController {

    private final Problems problems;
    private final PathwaysApi api;

    TeamController(PathwaysApi api, Problems problems) {
        this.problems = problems;
        this.api = api;
    }

    @PostMapping("/learners/{id}/lead")
    String takeLead(@PathVariable String id, @AuthenticationPrincipal OidcUser user, RedirectAttributes redirect) {
        return act(id, "team", redirect, "team.done.lead",
                () -> api.put("/api/learners/{id}/lead", Map.of("workerId", user.getSubject()), id));
    }

    @PostMapping("/learners/{id}/lead/step-down")
    String stepDown(@PathVariable String id, RedirectAttributes redirect) {
        return act(id, "team", redirect, "team.done.steppedDown", () -> {
            api.delete("/api/learners/{id}/lead", id);
            return null;
        });
    }

    @PostMapping("/learners/{id}/lead/handover")
    String offerHandover(@PathVariable String id, @RequestParam(defaultValue = "") String toAgencyId,
                         @RequestParam(defaultValue = "") String toWorkerId, RedirectAttributes redirect) {
        return act(id, "team", redirect, "team.done.offered", () -> api.post("/api/learners/{id}/lead/handover",
                Map.of("toAgencyId", toAgencyId.strip(), "toWorkerId", toWorkerId.strip()), id));
    }

    @PostMapping("/learners/{id}/lead/handover/accept")
    String acceptHandover(@PathVariable String id, RedirectAttributes redirect) {
        return act(id, "team", redirect, "team.done.accepted",
                () -> api.post("/api/learners/{id}/lead/handover/accept", null, id));
    }

    @PostMapping("/learners/{id}/lead/handover/decline")
    String declineHandover(@PathVariable String id, RedirectAttributes redirect) {
        return act(id, "team", redirect, "team.done.declined", () -> {
            api.delete("/api/learners/{id}/lead/handover", id);
            return null;
        });
    }

    @PostMapping("/learners/{id}/plan/steps")
    String addStep(@PathVariable String id, @RequestParam MultiValueMap<String, String> form,
                   RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "title", form.getFirst("title"));
        put(body, "ownerAgencyId", form.getFirst("ownerAgencyId"));
        put(body, "dueOn", form.getFirst("dueOn"));
        put(body, "referralId", form.getFirst("referralId"));
        Map<String, String> sent = new LinkedHashMap<>(form.toSingleValueMap());
        sent.put("form", "step");
        return act(id, "plan", redirect, "plan.done.added",
                () -> api.postIfMatch("/api/learners/{id}/plan/steps", body, form.getFirst("etag"), id), sent);
    }

    @PostMapping("/learners/{id}/plan/steps/{stepId}")
    String changeStatus(@PathVariable String id, @PathVariable String stepId, @RequestParam String status,
                        @RequestParam(required = false) String etag, RedirectAttributes redirect) {
        return act(id, "plan", redirect, "plan.done.changed",
                () -> api.patchIfMatch("/api/learners/{id}/plan/steps/{stepId}", Map.of("status", status), etag,
                        id, stepId));
    }

    /**
     * Does it, then back to the learner's page at the part changed, with what happened: done, the plan changed
     * meanwhile (a 409 or 412 on the version sent), or the API's reason for refusing.
     */
    private String act(String id, String part, RedirectAttributes redirect, String done,
                              Supplier<Object> action) {
        return act(id, part, redirect, done, action, null);
    }

    /**
     * {@link #act}; on a refusal the form comes back as {@code sent} (when given) and the page opens at the refusal
     * (at the top: the part changed is below it), not at a part that says nothing of why.
     */
    private String act(String id, String part, RedirectAttributes redirect, String done,
                       Supplier<Object> action, Map<String, String> sent) {
        String page = "/learners/" + UriUtils.encodePathSegment(id, java.nio.charset.StandardCharsets.UTF_8);
        try {
            action.get();
            redirect.addFlashAttribute("done", done);
        } catch (ApiProblem.NotFound gone) {
            // Done already (a second click, the Back button) or not there any more: the learner's page as it is now
            // says which (and is itself "not found" if the learner is no longer theirs to see).
            redirect.addFlashAttribute("refused", problems.gone());
        } catch (ApiProblem problem) {
            int status = problem.status().value();
            if (!(status == 412 || status == 409 && problem.kind() != null && problem.kind().contains("version"))) {
                return RefusedForm.backTo(page, problems.text(problem), sent, redirect);
            }
            redirect.addFlashAttribute("stalePlan", true);
            if (sent != null) {
                redirect.addFlashAttribute("sent", sent);
            }
        }
        return "redirect:" + page + "#" + part;
    }

    private static void put(Map<String, Object> body, String name, String value) {
        if (value != null && !value.isBlank()) {
            body.put(name, value.strip());
        }
    }
}
