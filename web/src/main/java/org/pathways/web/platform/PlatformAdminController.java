package org.pathways.web.platform;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.AgencyChoices;
import org.pathways.web.page.Problems;
import org.pathways.web.signin.SignedInUser;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A platform administrator's page: the agencies that registered themselves and wait for a decision on their kind
 * and sector, with what each asked for, and a form to approve each (the kind decides which learners' consents reach
 * the agency, so it is theirs to decide, not the agency's). The catalogue decides who may approve; this page is
 * offered to platform administrators only, and shows anyone else the page-not-found page.
 */
@Controller
class PlatformAdminController {

    private final PathwaysApi api;
    private final Problems problems;

    PlatformAdminController(PathwaysApi api, Problems problems) {
        this.api = api;
        this.problems = problems;
    }

    @GetMapping("/platform/agencies")
    String pending(@ModelAttribute("user") SignedInUser user, Model model, HttpServletResponse response) {
        if (!isPlatformAdmin(user, response)) {
            return "error/404";
        }
        model.addAttribute("agencies", api.list(uri -> uri.path("/api/agencies").queryParam("status", "PENDING")
                .build()));
        model.addAttribute("kinds", AgencyChoices.KINDS);
        model.addAttribute("sectors", AgencyChoices.SECTORS);
        return "platform/agencies";
    }

    @PostMapping("/platform/agencies/{id}/approve")
    String approve(@ModelAttribute("user") SignedInUser user, @PathVariable String id, @RequestParam String kind,
                   @RequestParam String sector, @RequestParam(required = false) Long version,
                   RedirectAttributes redirect, HttpServletResponse response) {
        if (!isPlatformAdmin(user, response)) {
            return "error/404";
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("kind", kind);
        body.put("sector", sector);
        // The version read with the page: if someone else decided meanwhile, the catalogue says so (409).
        body.put("version", version);
        try {
            Map<String, Object> approved = api.put("/api/agencies/{id}/kind", body, id).getBody();
            redirect.addFlashAttribute("approvedName", approved.get("name"));
            redirect.addFlashAttribute("approvedKind", approved.get("kind"));
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute("refused", problems.text(problem));
        }
        return "redirect:/platform/agencies";
    }

    /** Whether {@code user} is a platform administrator; anyone else is answered 404, as for no such page. */
    private static boolean isPlatformAdmin(SignedInUser user, HttpServletResponse response) {
        if (user != null && user.isPlatformAdmin()) {
            return true;
        }
        response.setStatus(HttpStatus.NOT_FOUND.value());
        return false;
    }
}
