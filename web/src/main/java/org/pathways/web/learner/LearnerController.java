package org.pathways.web.learner;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import org.pathways.web.api.ApiObject;
import org.pathways.web.api.ApiProblem;
import org.pathways.web.api.PathwaysApi;
import org.pathways.web.page.Problems;
import org.pathways.web.page.Names;
import org.pathways.web.page.RefusedForm;
import org.pathways.web.referral.LearnersReferrals;
import org.pathways.web.team.LearnersTeam;

/**
 * A worker's learner pages: find a learner (by name, date of birth or reference), register one (with the
 * partnership-wide duplicate warning and the way forward it offers), the learner's page (profile as the worker's
 * agency may see it, the team around them and their shared plan, consents, the referrals the agency made or
 * received for them, milestones as a timeline),
 * recording and withdrawing consent, and recording a milestone. Everything is the API's answer to the worker's own
 * token.
 */
@Controller
class LearnerController {

    static final List<String> BARRIERS = List.of("TRANSPORT", "CHILDCARE", "CARING", "DIGITAL_ACCESS", "CONFIDENCE",
            "HEALTH", "MONEY");
    static final List<String> PURPOSES = List.of("REFERRAL_SHARING", "CONTACT", "OUTCOME_SHARING");
    static final List<String> METHODS = List.of("VERBAL", "WRITTEN", "DIGITAL");
    static final List<String> MILESTONES = List.of("FIRST_CONTACT", "INITIAL_ASSESSMENT", "ENROLLED", "ATTENDED",
            "COMPLETED", "ACHIEVEMENT_GAINED", "PROGRESSED_TO_FURTHER_LEARNING", "INTO_VOLUNTEERING", "INTO_WORK");
    static final List<String> LEARNING_KINDS = List.of("INFORMAL", "NON_FORMAL", "FORMAL");

    private final Problems problems;
    private final PathwaysApi api;
    private final Names names;
    private final LearnersReferrals learnersReferrals;
    private final LearnersTeam learnersTeam;

    LearnerController(PathwaysApi api, Names names, LearnersReferrals learnersReferrals, LearnersTeam learnersTeam,
                      Problems problems) {
        this.api = api;
        this.problems = problems;
        this.names = names;
        this.learnersReferrals = learnersReferrals;
        this.learnersTeam = learnersTeam;
    }

    /** Results shown at once; more than this and the worker is asked to type more. */
    static final int RESULTS = 20;

    /**
     * Find a learner: the learners the worker's agency may see (its own and those shared with it) whose name starts
     * with what was typed, or with that date of birth or reference, as the API answers the worker's own token. An
     * htmx request (typing, as progressive enhancement) gets the results alone; without JavaScript the form submits
     * and the whole page comes back. {@code reference} is the old "open by reference" address, still honoured.
     */
    @GetMapping("/learners")
    String find(@RequestParam(required = false) String reference, @RequestParam(required = false) String q,
                @RequestHeader(name = "HX-Request", required = false) String htmx, Model model) {
        if (reference != null && !reference.isBlank()) {
            return "redirect:/learners/" + org.springframework.web.util.UriUtils.encodePathSegment(reference.trim(),
                    java.nio.charset.StandardCharsets.UTF_8);
        }
        String terms = q == null ? "" : q.strip();
        model.addAttribute("q", terms);
        if (terms.length() >= 2) {
            try {
                List<Map<String, Object>> found = api.list(uri -> uri.path("/api/learners")
                        .queryParam("q", "{q}").queryParam("limit", RESULTS).build(terms));
                model.addAttribute("results", found.stream().map(learner -> new FoundLearner(
                        String.valueOf(learner.get("id")), name(learner), learner.get("dateOfBirth"),
                        names.agency(String.valueOf(learner.get("registeringAgencyId"))))).toList());
                model.addAttribute("more", found.size() >= RESULTS);
            } catch (ApiProblem.NotFound notFound) {
                throw notFound;
            } catch (ApiProblem problem) {
                model.addAttribute("problem", problem);
            }
        } else if (!terms.isEmpty()) {
            model.addAttribute("tooShort", true);
        }
        model.addAttribute("partial", htmx != null);
        return htmx != null ? "learners/find :: results" : "learners/find";
    }

    /** One result: what the list shows of a learner the worker's agency may see. */
    record FoundLearner(String id, String name, Object dateOfBirth, String registeringAgency) {
    }

    private static String name(Map<String, Object> learner) {
        return (learner.getOrDefault("givenName", "") + " " + learner.getOrDefault("familyName", "")).strip();
    }

    @GetMapping("/learners/new")
    String registerForm(Model model) {
        // The form's key: a second click on "Register", or the form sent again, registers the one person once.
        model.addAttribute("formKey", java.util.UUID.randomUUID().toString());
        model.addAttribute("form", ApiObject.of(Map.of("preferredLanguage", "en")));
        model.addAttribute("barrierCodes", BARRIERS);
        return "learners/register";
    }

    @PostMapping("/learners")
    String register(@RequestParam MultiValueMap<String, String> form, Model model) {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "givenName", form.getFirst("givenName"));
        put(body, "familyName", form.getFirst("familyName"));
        put(body, "preferredName", form.getFirst("preferredName"));
        put(body, "dateOfBirth", form.getFirst("dateOfBirth"));
        put(body, "email", form.getFirst("email"));
        put(body, "phone", form.getFirst("phone"));
        put(body, "localityCode", form.getFirst("localityCode"));
        put(body, "preferredLanguage", form.getFirst("preferredLanguage"));
        put(body, "goals", form.getFirst("goals"));
        List<String> barriers = form.getOrDefault("barriers", List.of());
        if (!barriers.isEmpty()) {
            body.put("barriers", barriers);
        }
        // "Register anyway" stands for the details the possible duplicates were found for, and for no others: a
        // worker who corrects a name or a date after the warning has the check made again.
        if ("true".equals(form.getFirst("confirmNotDuplicate"))
                && identity(form).equals(form.getFirst("checkedDetails"))) {
            body.put("confirmNotDuplicate", true);
        }
        try {
            Map<String, Object> created = api.postWithKey("/api/learners", body, form.getFirst("idempotencyKey"))
                    .getBody();
            return "redirect:/learners/" + created.get("id") + "?registered";
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            // Nothing was registered under the form's key (a refusal keeps nothing): the same key goes again.
            model.addAttribute("formKey", form.getFirst("idempotencyKey"));
            model.addAttribute("form", ApiObject.of(form.toSingleValueMap()));
            model.addAttribute("chosenBarriers", barriers);
            model.addAttribute("barrierCodes", BARRIERS);
            if ("possible-duplicate".equals(problem.kind())) {
                model.addAttribute("candidates", problem.body().getOrDefault("candidates", List.of()));
                model.addAttribute("checkedDetails", identity(form));
            } else {
                model.addAttribute("problem", problem);
            }
            return "learners/register";
        }
    }

    /**
     * The details duplicate detection matches on, as the form holds them (trimmed, any case), as one opaque digest: what
     * a "register anyway" was given for.
     */
    static String identity(MultiValueMap<String, String> form) {
        StringBuilder details = new StringBuilder();
        for (String field : List.of("givenName", "familyName", "preferredName", "dateOfBirth", "email", "phone")) {
            String value = form.getFirst(field);
            details.append(value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT)).append('\u001f');
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(details.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @GetMapping("/learners/{id}")
    String learner(@PathVariable String id, @AuthenticationPrincipal OidcUser user, Model model) {
        var answer = api.getWithHeaders(uri -> uri.path("/api/learners/{id}").build(id));
        model.addAttribute("learner", answer.getBody());
        model.addAttribute("team", learnersTeam.of(id, LearnersTeam.Me.of(user)));
        model.addAttribute("planStatuses", LearnersTeam.STATUSES);
        model.addAttribute("milestoneKey", java.util.UUID.randomUUID().toString());
        try {
            model.addAttribute("milestones", api.list("/api/learners/{id}/milestones", id));
        } catch (ApiProblem.NotFound notShared) {
            // The timeline is the learner's to share (OUTCOME_SHARING): an agency in their team on another consent
            // still sees the rest of the page.
            model.addAttribute("milestones", List.of());
            model.addAttribute("milestonesNotShared", true);
        }
        try {
            model.addAttribute("referrals", learnersReferrals.of(id));
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem unavailable) {
            // The referral-service busy or down: the rest of the page (the profile, consents, the plan) still
            // serves the worker, and the section says why it is empty.
            model.addAttribute("referrals", List.of());
            model.addAttribute("referralsUnavailable", true);
        }
        model.addAttribute("purposes", PURPOSES);
        model.addAttribute("methods", METHODS);
        model.addAttribute("agencyKinds", org.pathways.web.page.AgencyChoices.KINDS);
        model.addAttribute("agencies", names.directory());
        model.addAttribute("milestoneKinds", MILESTONES);
        model.addAttribute("learningKinds", LEARNING_KINDS);
        model.addAttribute("today", LocalDate.now(org.pathways.web.page.Dates.UK).toString());
        return "learners/learner";
    }

    @PostMapping("/learners/{id}/consents")
    String recordConsent(@PathVariable String id, @RequestParam MultiValueMap<String, String> form,
                         RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        if ("kind".equals(form.getFirst("scope"))) {
            put(body, "agencyKind", form.getFirst("agencyKind"));
        } else {
            put(body, "agencyId", form.getFirst("agencyId"));
        }
        put(body, "purpose", form.getFirst("purpose"));
        put(body, "method", form.getFirst("method"));
        // "Until" a day the person chose: in force to the end of that day, UK time.
        String until = form.getFirst("expiresOn");
        if (until != null && !until.isBlank()) {
            try {
                body.put("expiresAt", LocalDate.parse(until.strip()).plusDays(1)
                        .atStartOfDay(org.pathways.web.page.Dates.UK).toInstant().toString());
            } catch (java.time.format.DateTimeParseException notADate) {
                body.put("expiresAt", until.strip());
            }
        }
        return act(id, redirect, "done.consent.recorded", () -> api.post("/api/learners/{id}/consents", body, id));
    }

    @PostMapping("/learners/{id}/consents/{consentId}/withdraw")
    String withdrawConsent(@PathVariable String id, @PathVariable String consentId, RedirectAttributes redirect) {
        return act(id, redirect, "done.consent.withdrawn", () -> {
            api.delete("/api/learners/{id}/consents/{consentId}", id, consentId);
            return null;
        });
    }

    @PostMapping("/learners/{id}/milestones")
    String recordMilestone(@PathVariable String id, @RequestParam MultiValueMap<String, String> form,
                           RedirectAttributes redirect) {
        Map<String, Object> body = new LinkedHashMap<>();
        put(body, "kind", form.getFirst("kind"));
        put(body, "occurredOn", form.getFirst("occurredOn"));
        if ("ACHIEVEMENT_GAINED".equals(form.getFirst("kind"))) {
            put(body, "learningKind", form.getFirst("learningKind"));
            put(body, "title", form.getFirst("title"));
        }
        // The form's key: a second click, or the form sent again, records the one milestone, not a second.
        Map<String, String> sent = new LinkedHashMap<>(form.toSingleValueMap());
        sent.put("form", "milestone");
        return act(id, redirect, "milestone.recorded", () -> api.postWithKey("/api/learners/{id}/milestones", body,
                form.getFirst("idempotencyKey"), id), sent);
    }

    /** Does it, then back to the learner's page with what happened: done, or the API's reason for refusing. */
    private String act(String id, RedirectAttributes redirect, String done,
                              java.util.function.Supplier<Object> action) {
        return act(id, redirect, done, action, null);
    }

    /**
     * {@link #act}; on a refusal the form comes back as {@code sent} (when given) and the page opens at the refusal,
     * so that the worker sees why and corrects what they wrote instead of writing it again.
     */
    private String act(String id, RedirectAttributes redirect, String done,
                       java.util.function.Supplier<Object> action, Map<String, String> sent) {
        try {
            action.get();
            redirect.addFlashAttribute("done", done);
        } catch (ApiProblem.NotFound notFound) {
            throw notFound;
        } catch (ApiProblem problem) {
            return RefusedForm.backTo("/learners/" + id, problems.text(problem), sent, redirect);
        }
        return "redirect:/learners/" + id;
    }

    static void put(Map<String, Object> body, String name, String value) {
        if (value != null && !value.isBlank()) {
            body.put(name, value.trim());
        }
    }

    static List<String> nonBlank(List<String> values) {
        List<String> kept = new ArrayList<>();
        values.forEach(value -> {
            if (value != null && !value.isBlank()) {
                kept.add(value);
            }
        });
        return kept;
    }
}
