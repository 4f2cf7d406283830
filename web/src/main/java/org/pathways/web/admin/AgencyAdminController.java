package org.pathways.web.admin;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import org.pathways.events.catalogue.EventType;
import org.pathways.web.api.ApiObject;
import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.AgencyChoices;
import org.pathways.web.page.Problems;
import org.pathways.web.signin.SignedInUser;

/**
 * An agency admin's pages: the agency's details as the catalogue has them, its webhook subscriptions (create, with
 * the signing secret shown once; rotate, again shown once; pause, resume, delete), the delivery log with parked
 * deliveries and redelivery, and the replayable feed with the cursor their developers read on from. The API decides
 * what each admin may do; these pages only offer it.
 */
@Controller
class AgencyAdminController {

    static final List<String> EVENT_TYPES = Arrays.stream(EventType.values()).map(EventType::type).sorted().toList();

    private final Problems problems;
    private final PathwaysApi api;

    AgencyAdminController(PathwaysApi api, Problems problems) {
        this.problems = problems;
        this.api = api;
    }

    @GetMapping("/admin")
    String agency(@org.springframework.web.bind.annotation.ModelAttribute("user") SignedInUser user, Model model) {
        Map<String, Object> agency = optional(() -> api.get("/api/agencies/{id}", user.agency()));
        model.addAttribute("agency", agency);
        model.addAttribute("settings", optional(() -> api.get("/api/agency-settings")));
        if (agency == null) {
            registrationForm(model, ApiObject.of(Map.of("acceptsDirectReferrals", "true")));
        }
        return "admin/agency";
    }

    /**
     * Registers the admin's own agency in the catalogue (the agency is the one their sign-in names): what kind and
     * sector it is are a request, which a platform administrator approves (/platform/agencies).
     */
    @PostMapping("/admin/agency")
    String register(@RequestParam MultiValueMap<String, String> form, Model model, RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", text(form.getFirst("name")));
        body.put("kind", text(form.getFirst("kind")));
        body.put("sector", text(form.getFirst("sector")));
        String localities = form.getFirst("localities");
        body.put("localities", localities == null ? List.of() : Arrays.stream(localities.split(","))
                .map(String::strip).filter(locality -> !locality.isEmpty()).toList());
        body.put("contacts", List.of());
        body.put("acceptsDirectReferrals", "true".equals(form.getFirst("acceptsDirectReferrals")));
        for (String optional : List.of("website", "email", "phone", "description")) {
            String value = text(form.getFirst(optional));
            if (value != null) {
                body.put(optional, value);
            }
        }
        try {
            api.post("/api/agencies", body);
            redirect.addFlashAttribute("done", "admin.agency.registered");
            return "redirect:/admin";
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            if ("already-registered".equals(problem.kind())) {
                // a second click, or another admin first: the agency is there, so show it
                return "redirect:/admin";
            }
            model.addAttribute("problem", problem);
            model.addAttribute("agency", null);
            model.addAttribute("settings", optional(() -> api.get("/api/agency-settings")));
            registrationForm(model, ApiObject.of(form.toSingleValueMap()));
            return "admin/agency";
        }
    }

    /** Sets where the agency's notices are e-mailed and in which language ({@code PUT /api/agency-settings}). */
    @PostMapping("/admin/settings")
    String settings(@RequestParam(required = false) String notificationEmail,
                    @RequestParam(required = false) String language, RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("notificationEmail", notificationEmail == null ? "" : notificationEmail.strip());
        body.put("language", "cy".equals(language) ? "cy" : "en");
        try {
            api.put("/api/agency-settings", body);
            redirect.addFlashAttribute("done", "admin.settings.saved");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute("refused", problems.text(problem));
        }
        return "redirect:/admin";
    }

    private static void registrationForm(Model model, Map<String, Object> form) {
        model.addAttribute("form", form);
        model.addAttribute("kinds", AgencyChoices.KINDS);
        model.addAttribute("sectors", AgencyChoices.SECTORS);
    }

    private static String text(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    @GetMapping("/admin/webhooks")
    String webhooks(Model model) {
        // The form's key: a second click on "Subscribe" makes the one subscription, not two delivering twice.
        if (!model.containsAttribute("formKey")) {
            model.addAttribute("formKey", java.util.UUID.randomUUID().toString());
        }
        model.addAttribute("subscriptions", api.list("/api/subscriptions"));
        model.addAttribute("eventTypes", EVENT_TYPES);
        return "admin/webhooks";
    }

    @PostMapping("/admin/webhooks")
    String subscribe(@RequestParam String url, @RequestParam(required = false) List<String> eventTypes,
                     @RequestParam(required = false) String idempotencyKey, RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("url", url.strip());
        body.put("eventTypes", eventTypes == null ? List.of() : eventTypes);
        try {
            Map<String, Object> created = api.postWithKey("/api/subscriptions", body, idempotencyKey).getBody();
            // The secret is in this answer only: shown once, on the next page, never stored here.
            redirect.addFlashAttribute("secret", created.get("secret"));
            redirect.addFlashAttribute("secretFor", created.get("id"));
            redirect.addFlashAttribute("done", "webhooks.created");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute("refused", problems.text(problem));
            // With its key: a subscription made although the answer never came is not made twice. Unless what the
            // key made was removed since (the Back button after a delete): then a new form, to subscribe again.
            if (!"subscription-removed".equals(problem.kind())) {
                redirect.addFlashAttribute("formKey", idempotencyKey);
            }
            // the form again as it was sent, to correct rather than type again
            redirect.addFlashAttribute("url", url);
            redirect.addFlashAttribute("chosenEventTypes", eventTypes == null ? List.of() : eventTypes);
        }
        return "redirect:/admin/webhooks";
    }

    @PostMapping("/admin/webhooks/{id}/{action:rotate|pause|resume|delete}")
    String change(@PathVariable String id, @PathVariable String action,
                  @RequestParam(required = false) String idempotencyKey, RedirectAttributes redirect) {
        try {
            switch (action) {
                case "rotate" -> {
                    // The form's key: a second click shows the one new secret, and the old one keeps its grace.
                    Map<String, Object> rotated = api.postWithKey("/api/subscriptions/{id}/rotate-secret", null,
                            idempotencyKey, id).getBody();
                    redirect.addFlashAttribute("secret", rotated.get("secret"));
                    redirect.addFlashAttribute("secretFor", id);
                }
                case "pause", "resume" -> api.post("/api/subscriptions/{id}/" + action, null, id);
                default -> api.delete("/api/subscriptions/{id}", id);
            }
            redirect.addFlashAttribute("done", "webhooks.done." + action);
        } catch (ApiProblem.NotFound gone) {
            // Deleted already (a second click, the Back button): the list as it is now says so.
            redirect.addFlashAttribute("refused", problems.gone());
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute("refused", problems.text(problem));
        }
        return "redirect:/admin/webhooks";
    }

    @GetMapping("/admin/deliveries")
    String deliveries(@RequestParam(required = false) String status, Model model) {
        boolean parked = "PARKED".equals(status);
        model.addAttribute("deliveries", api.list(uri -> (parked
                ? uri.path("/api/deliveries").queryParam("status", "PARKED") : uri.path("/api/deliveries")).build()));
        model.addAttribute("parkedOnly", parked);
        return "admin/deliveries";
    }

    @PostMapping("/admin/deliveries/{id}/redeliver")
    String redeliver(@PathVariable String id, RedirectAttributes redirect) {
        try {
            api.post("/api/deliveries/{id}/redeliver", null, id);
            redirect.addFlashAttribute("done", "deliveries.redelivered");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute("refused", problems.text(problem));
        }
        return "redirect:/admin/deliveries";
    }

    @PostMapping("/admin/deliveries/redeliver-parked")
    String redeliverParked(RedirectAttributes redirect) {
        Map<String, Object> answer = api.post("/api/deliveries/redeliver-parked", null).getBody();
        redirect.addFlashAttribute("redelivered", answer.getOrDefault("redelivered", 0));
        return "redirect:/admin/deliveries?status=PARKED";
    }

    @GetMapping("/admin/feed")
    String feed(@RequestParam(defaultValue = "0") String after, Model model) {
        try {
            Map<String, Object> page = api.get(uri -> uri.path("/api/feed").queryParam("after", "{after}")
                    .queryParam("limit", 50).build(after));
            model.addAttribute("events", page.getOrDefault("events", List.of()));
            model.addAttribute("next", page.get("next"));
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            model.addAttribute("refused", problems.text(problem));
            model.addAttribute("oldestCursor", problem.body().get("oldestCursor"));
            model.addAttribute("events", List.of());
        }
        model.addAttribute("after", after);
        return "admin/feed";
    }

    private static Map<String, Object> optional(java.util.function.Supplier<Map<String, Object>> read) {
        try {
            return read.get();
        } catch (ApiProblem.NotFound notYet) {
            return null;
        }
    }
}
