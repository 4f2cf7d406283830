package org.pathways.web.referral;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import org.pathways.web.api.ApiObject;
import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Problems;
import org.pathways.web.page.RefusedForm;

/**
 * Referrals: making one for a learner (with the consent check explained before it is sent), the receiving agency's
 * incoming list (filters, SLA dates, overdue said in words; the list refreshes itself), the referring agency's
 * outgoing list, and the referral's page with its history, the handoff notes and the actions the API allows the
 * caller now, as buttons. Every change sends the version the page was drawn from ({@code If-Match}); if someone
 * else changed the referral in between, the page says so and shows it afresh.
 */
@Controller
class ReferralController {

    static final List<String> URGENCIES = List.of("ROUTINE", "SOON", "URGENT");
    static final List<String> REJECT_REASONS = List.of("NOT_ELIGIBLE", "NO_CAPACITY", "COULD_NOT_CONTACT",
            "LEARNER_DECLINED", "DUPLICATE", "OTHER");
    /**
     * The reason a "did not finish" needs, by the referral's status: the API takes only DID_NOT_START for an accepted
     * referral and only LEFT_EARLY for one in progress (without a reason it refuses every FAIL).
     */
    static final Map<String, List<String>> FAIL_REASONS = Map.of("ACCEPTED", List.of("DID_NOT_START"),
            "IN_PROGRESS", List.of("LEFT_EARLY"));
    static final List<String> STATUSES = List.of("SUBMITTED", "RECEIVED", "ACCEPTED", "IN_PROGRESS", "ON_HOLD",
            "COMPLETED", "REJECTED", "FAILED", "CANCELLED");
    /** The profile fields a referral's shared summary may carry: what REFERRAL_SHARING consent covers. */
    static final List<String> SUMMARY_FIELDS = List.of("givenName", "familyName", "preferredName", "dateOfBirth",
            "localityCode", "preferredLanguage", "interpreterNeeded", "accessibilityNeeds", "barriers", "goals",
            "interests", "priorAchievements");

    private final Problems problems;
    private final PathwaysApi api;
    private final org.springframework.context.MessageSource messages;

    ReferralController(PathwaysApi api, Problems problems, org.springframework.context.MessageSource messages) {
        this.problems = problems;
        this.api = api;
        this.messages = messages;
    }

    @GetMapping("/learners/{id}/refer")
    String referForm(@PathVariable String id, @RequestParam String opportunity, Model model) {
        Map<String, Object> learner = api.get("/api/learners/{id}", id);
        Map<String, Object> offer = api.get("/api/opportunities/{id}", opportunity);
        model.addAttribute("learner", learner);
        model.addAttribute("opportunity", offer);
        model.addAttribute("consent", consentCheck(id, offer));
        model.addAttribute("idempotencyKey", UUID.randomUUID().toString());
        return referPage(model);
    }

    /**
     * The refused form shown again, with what the worker wrote and the key it was sent with. The learner, the
     * opportunity and the consent check are read again; when the API does not give them (most often because it is
     * not answering, the very reason the referral was refused), the form is shown all the same, saying that they
     * could not be shown and to send it again in a moment, never an error page that loses what was written.
     */
    private String referFormAgain(String id, String opportunity, Model model) {
        Map<String, Object> learner = readIfGiven(() -> api.get("/api/learners/{id}", id));
        Map<String, Object> offer = opportunity == null || opportunity.isBlank() ? null
                : readIfGiven(() -> api.get("/api/opportunities/{id}", opportunity));
        Map<String, Object> consent = learner == null || offer == null ? null
                : readIfGiven(() -> consentCheck(id, offer));
        // What the form needs to be sent again: where to (the learner's id from the address, the opportunity's from
        // the form's own hidden field), never a name or a title the browser could have changed.
        model.addAttribute("learner", learner != null ? learner : ApiObject.of(Map.of("id", id)));
        model.addAttribute("opportunity", offer != null ? offer
                : ApiObject.of(Map.of("id", opportunity == null ? "" : opportunity)));
        model.addAttribute("consent", consent);
        model.addAttribute("detailsNotShown", consent == null);
        return referPage(model);
    }

    private String referPage(Model model) {
        model.addAttribute("urgencies", URGENCIES);
        return "referrals/refer";
    }

    /** Whether the learner's consent lets the opportunity's provider see the referral ({@code REFERRAL_SHARING}). */
    private Map<String, Object> consentCheck(String id, Map<String, Object> offer) {
        Object provider = offer.get("providerAgencyId");
        return api.get(uri -> uri.path("/api/learners/{id}/consents/check")
                .queryParam("agencyId", "{agencyId}").queryParam("purpose", "REFERRAL_SHARING")
                .build(Map.of("id", id, "agencyId", String.valueOf(provider))));
    }

    /**
     * The API's answer, or null when it refused or did not answer (its 503): the page then does without it. Not
     * found (the learner no longer the agency's to see, the opportunity gone) is the page not found, as on the form's
     * first showing: sending it again could not make the referral.
     */
    private static Map<String, Object> readIfGiven(java.util.function.Supplier<Map<String, Object>> read) {
        try {
            return read.get();
        } catch (ApiProblem.NotFound gone) {
            throw gone;
        } catch (ApiProblem notGiven) {
            return null;
        }
    }

    @PostMapping("/learners/{id}/refer")
    String refer(@PathVariable String id, @RequestParam MultiValueMap<String, String> form, Model model,
                 RedirectAttributes redirect) {
        String opportunity = form.getFirst("opportunityId");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("learnerId", id);
        body.put("opportunityId", opportunity);
        body.put("need", form.getFirst("need"));
        body.put("urgency", form.getFirst("urgency"));
        try {
            if ("true".equals(form.getFirst("shareSummary"))) {
                body.putAll(sharedSummary(id));
            }
            var created = api.postWithKey("/api/referrals", body, form.getFirst("idempotencyKey"));
            redirect.addFlashAttribute("done", "referral.sent");
            return "redirect:/referrals/" + created.getBody().get("id");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            model.addAttribute("problem", problem);
            model.addAttribute("form", ApiObject.of(form.toSingleValueMap()));
            // The form shown again keeps its key: a referral that was made although its answer never came (a
            // 5xx after the write) is answered as made when sent again, not refused as a second one.
            String key = form.getFirst("idempotencyKey");
            model.addAttribute("idempotencyKey", key != null && !key.isBlank() ? key : UUID.randomUUID().toString());
            return referFormAgain(id, opportunity, model);
        }
    }

    /** The learner's summary as the referral shares it ({@code sharedSummary}), or nothing when it is empty. */
    private Map<String, Object> sharedSummary(String id) {
        Map<String, Object> learner = api.get("/api/learners/{id}", id);
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String field : SUMMARY_FIELDS) {
            Object value = learner.get(field);
            if (value != null && !(value instanceof java.util.Collection<?> values && values.isEmpty())
                    && !Boolean.FALSE.equals(value)) {
                summary.put(field, value);
            }
        }
        return summary.isEmpty() ? Map.of() : Map.of("sharedSummary", summary);
    }

    @GetMapping("/referrals/incoming")
    String incoming(@RequestParam(required = false) String status, @RequestParam(required = false) String overdue,
                    @RequestParam(required = false) String mine, @RequestParam(required = false) String cursor,
                    Model model) {
        return list("incoming", status, overdue, mine, cursor, model, "referrals/list");
    }

    /** The incoming list's rows alone, which the page asks for again every few seconds (htmx). */
    @GetMapping("/referrals/incoming/rows")
    String incomingRows(@RequestParam(required = false) String status, @RequestParam(required = false) String overdue,
                        @RequestParam(required = false) String mine, @RequestParam(required = false) String cursor,
                        Model model) {
        return list("incoming", status, overdue, mine, cursor, model, "referrals/list :: rows");
    }

    @GetMapping("/referrals/outgoing")
    String outgoing(@RequestParam(required = false) String status, @RequestParam(required = false) String overdue,
                    @RequestParam(required = false) String mine, @RequestParam(required = false) String cursor,
                    Model model) {
        return list("outgoing", status, overdue, mine, cursor, model, "referrals/list");
    }

    @GetMapping("/referrals/outgoing/rows")
    String outgoingRows(@RequestParam(required = false) String status, @RequestParam(required = false) String overdue,
                        @RequestParam(required = false) String mine, @RequestParam(required = false) String cursor,
                        Model model) {
        return list("outgoing", status, overdue, mine, cursor, model, "referrals/list :: rows");
    }

    /**
     * A page of the list, newest first, 50 at a time: the API's {@code next} cursor leads to the older ones, so an
     * agency with more referrals than a page still reaches the ones waiting longest.
     */
    private String list(String direction, String status, String overdue, String mine, String cursor, Model model,
                        String view) {
        String at = cursor == null || cursor.isBlank() ? null : cursor;
        Map<String, Object> page = api.get(uri -> {
            uri.path("/api/referrals").queryParam("direction", direction).queryParam("limit", PAGE);
            if (at != null) {
                uri.queryParam("cursor", at);
            }
            if (status != null && STATUSES.contains(status)) {
                uri.queryParam("status", status);
            }
            if ("true".equals(overdue)) {
                uri.queryParam("overdue", "true");
            }
            if ("true".equals(mine)) {
                uri.queryParam("mine", "true");
            }
            return uri.build();
        });
        model.addAttribute("direction", direction);
        model.addAttribute("referrals", page.getOrDefault("items", List.of()));
        model.addAttribute("statuses", STATUSES);
        model.addAttribute("status", status);
        model.addAttribute("overdue", "true".equals(overdue));
        model.addAttribute("mine", "true".equals(mine));
        model.addAttribute("query", query(status, overdue, mine, at));
        model.addAttribute("firstPage", at == null ? null : "/referrals/" + direction + query(status, overdue, mine, null));
        model.addAttribute("nextPage", page.get("next") instanceof String next && !next.isBlank()
                ? "/referrals/" + direction + query(status, overdue, mine, next) : null);
        return view;
    }

    /** How many referrals a page of the list shows. */
    static final int PAGE = 50;

    /** The list's filters (and page) as a query string, each value encoded. */
    private static String query(String status, String overdue, String mine, String cursor) {
        org.springframework.web.util.UriComponentsBuilder query =
                org.springframework.web.util.UriComponentsBuilder.newInstance();
        if (status != null && STATUSES.contains(status)) {
            query.queryParam("status", status);
        }
        if ("true".equals(overdue)) {
            query.queryParam("overdue", "true");
        }
        if ("true".equals(mine)) {
            query.queryParam("mine", "true");
        }
        if (cursor != null) {
            query.queryParam("cursor", "{cursor}");
        }
        return query.encode().buildAndExpand(cursor == null ? Map.of() : Map.of("cursor", cursor)).toUriString();
    }

    @GetMapping("/referrals/{id}")
    String referral(@PathVariable String id, @RequestParam(required = false) String rerouteQ, Model model) {
        var answer = api.getWithHeaders(uri -> uri.path("/api/referrals/{id}").build(id));
        Map<String, Object> referral = answer.getBody();
        model.addAttribute("referral", referral);
        // Without JavaScript the re-route search is a plain GET of this page: its options are listed here.
        model.addAttribute("rerouteQ", rerouteQ);
        addRerouteOptions(model, rerouteQ, referral.get("opportunityId"));
        model.addAttribute("etag", answer.getHeaders().getFirst(HttpHeaders.ETAG));
        model.addAttribute("rejectReasons", REJECT_REASONS);
        model.addAttribute("failReasons", FAIL_REASONS.getOrDefault(String.valueOf(referral.get("status")), List.of()));
        boolean party = referral.get("need") != null || referral.get("history") != null;
        model.addAttribute("notes", List.of());
        if (party && referral.get("learnerId") != null) {
            try {
                model.addAttribute("notes", api.list("/api/referrals/{id}/notes", id));
            } catch (ApiProblem.NotFound notFound) {
                throw notFound;
            } catch (ApiProblem notShown) {
                // The person's consent for this agency ended (403 consent-required): the referral's course is still
                // shown, and what it may do; the notes are not.
                model.addAttribute("notesNotShown", true);
            }
        }
        model.addAttribute("noteKey", UUID.randomUUID().toString());
        model.addAttribute("chain", chain(id));
        if (referral.get("sharedSummary") == null && referral.get("learnerId") instanceof String learnerId) {
            model.addAttribute("learnerName", learnerName(learnerId));
        }
        if ("COMPLETED".equals(referral.get("status")) && party) {
            model.addAttribute("nextSteps", nextSteps(id));
        }
        return "referrals/referral";
    }

    /**
     * The learner's name as the worker's agency may see it (its own learner, or one it holds a consent for), when
     * the referral carries no shared summary; null when the agency may not read the learner (the page then shows the
     * reference, as before).
     */
    private String learnerName(String learnerId) {
        try {
            Map<String, Object> learner = api.get("/api/learners/{id}", learnerId);
            String name = ((learner.get("givenName") == null ? "" : learner.get("givenName")) + " "
                    + (learner.get("familyName") == null ? "" : learner.get("familyName"))).strip();
            return name.isEmpty() ? null : name;
        } catch (ApiProblem notTheirs) {
            return null;
        }
    }

    private List<Map<String, Object>> chain(String id) {
        try {
            return api.list("/api/referrals/{id}/chain", id);
        } catch (ApiProblem notAvailable) {
            return List.of();
        }
    }

    private Map<String, Object> nextSteps(String id) {
        try {
            return api.get("/api/referrals/{id}/next-steps", id);
        } catch (ApiProblem notAvailable) {
            return Map.of();
        }
    }

    @PostMapping("/referrals/{id}/transitions")
    String transition(@PathVariable String id, @RequestParam String action,
                      @RequestParam(required = false) String reason,
                      @RequestParam(required = false) String reasonText, @RequestParam String etag,
                      RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        if (reason != null && !reason.isBlank()) {
            body.put("reason", reason);
        }
        if (reasonText != null && !reasonText.isBlank()) {
            body.put("reasonText", reasonText.strip());
        }
        try {
            api.postIfMatch("/api/referrals/{id}/transitions", body, etag, id);
            redirect.addFlashAttribute("done", "action.done." + action);
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            // The form comes back as it was sent, beside the refusal the page opens at.
            Map<String, String> sent = new LinkedHashMap<>();
            sent.put("action", action);
            sent.put("reason", reason);
            sent.put("reasonText", reasonText);
            if (problem.status().value() == 409 && "stale-version".equals(problem.kind())) {
                // Someone else changed it: the page says so at its top and shows the referral afresh.
                redirect.addFlashAttribute("stale", problems.text(problem));
                redirect.addFlashAttribute("sent", sent);
                return "redirect:/referrals/" + id;
            }
            return RefusedForm.backTo("/referrals/" + id, problems.text(problem), sent, redirect);
        }
        return "redirect:/referrals/" + id;
    }

    /**
     * The opportunities a referral could be re-routed to, found by words as the catalogue's search finds them (its
     * own opportunity left out), as the re-route form's choices: what the page asks for as the worker types.
     */
    @GetMapping("/referrals/{id}/reroute-options")
    String rerouteOptions(@PathVariable String id, @RequestParam(required = false) String rerouteQ,
                          @RequestParam(required = false) String current, Model model) {
        addRerouteOptions(model, rerouteQ, current);
        return "referrals/referral :: reroute-options";
    }

    /** The choices for {@code words}, or what the catalogue said was wrong with them (e.g. too long). */
    private void addRerouteOptions(Model model, String words, Object current) {
        try {
            model.addAttribute("options", rerouteOptions(words, current));
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            model.addAttribute("options", null);
            model.addAttribute("optionsRefused", problems.text(problem));
        }
    }

    /** Up to 10 opportunities matching {@code words}, without {@code current}; null when nothing was asked. */
    private List<Map<String, Object>> rerouteOptions(String words, Object current) {
        if (words == null || words.isBlank()) {
            return null;
        }
        // the words as a URI variable: encoded as a value ("C++" stays "C++", "{x}" is not a template variable)
        Map<String, Object> page = api.get(uri -> uri.path("/api/opportunities").queryParam("q", "{q}")
                .queryParam("limit", 10).build(words.strip()));
        List<Map<String, Object>> options = new java.util.ArrayList<>();
        if (page.get("items") instanceof List<?> items) {
            for (Object item : items) {
                if (item instanceof Map<?, ?> opportunity && !java.util.Objects.equals(opportunity.get("id"), current)) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> option = (Map<String, Object>) opportunity;
                    options.add(option);
                }
            }
        }
        return options;
    }

    /** Re-routing: the open referral is closed towards a better-suited opportunity, linked to the new one. */
    @PostMapping("/referrals/{id}/reroute")
    String reroute(@PathVariable String id, @RequestParam(required = false) String opportunityId,
                   @RequestParam(required = false) String reasonText, @RequestParam String etag,
                   RedirectAttributes redirect) {
        if (opportunityId == null || opportunityId.isBlank()) {
            redirect.addFlashAttribute("refused", messages.getMessage("referral.reroute.none", null,
                    org.springframework.context.i18n.LocaleContextHolder.getLocale()));
            return "redirect:/referrals/" + id;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("opportunityId", opportunityId.strip());
        if (reasonText != null && !reasonText.isBlank()) {
            body.put("reasonText", reasonText.strip());
        }
        try {
            Map<String, Object> next = api.postIfMatch("/api/referrals/{id}/reroute", body, etag, id).getBody();
            redirect.addFlashAttribute("done", "referral.rerouted");
            return "redirect:/referrals/" + next.get("id");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            redirect.addFlashAttribute(problem.status().value() == 409 && "stale-version".equals(problem.kind())
                    ? "stale" : "refused", problems.text(problem));
            return "redirect:/referrals/" + id;
        }
    }

    @PostMapping("/referrals/{id}/notes")
    String note(@PathVariable String id, @RequestParam String text,
                @RequestParam(required = false) String idempotencyKey, RedirectAttributes redirect) {
        try {
            // The form's key: a second click adds the one note once.
            api.postWithKey("/api/referrals/{id}/notes", Map.of("text", text), idempotencyKey, id);
            redirect.addFlashAttribute("done", "note.added");
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            // The note as written comes back in its box, with its key: a note that was written although the answer
            // never came is not written twice.
            Map<String, String> sent = new LinkedHashMap<>();
            sent.put("form", "note");
            sent.put("text", text);
            sent.put("idempotencyKey", idempotencyKey);
            return RefusedForm.backTo("/referrals/" + id, problems.text(problem), sent, redirect);
        }
        return "redirect:/referrals/" + id + "#notes";
    }
}
