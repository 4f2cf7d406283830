package org.pathways.web.page;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.springframework.context.MessageSource;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.stereotype.Component;

import org.pathways.web.api.ApiProblem;

/**
 * What the API refused, said in the page's language: a field the API named as not valid becomes "Family name: this
 * cannot be left empty", with the form's own label for the field ({@code field.<name>}) and words for the constraint
 * it broke ({@code error.<code>}, from the problem's {@code errors[].code}), never the validator's English. Templates
 * call it as {@code ${@problems.summary(problem)}} and {@code ${@problems.fields(problem)}} (each field linked to its
 * input); a page that carries the refusal over a redirect uses {@link #text}. A refusal of a kind the pages know
 * ({@code problem.<kind>}) is said in the page's words too; any other gets a general sentence in the page's language
 * ({@code problem.generic}), never the API's English detail.
 */
@Component("problems")
public class Problems {

    /** One field the API named: the input's id, and what is wrong with it, in words. */
    public record FieldProblem(String field, String text) {
    }

    /** The forms' labels for API fields whose label is not {@code field.<name>}. */
    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("localityCode", "field.locality"), Map.entry("preferredLanguage", "field.language"),
            Map.entry("need", "refer.need"), Map.entry("urgency", "refer.urgency"),
            Map.entry("url", "webhooks.url"), Map.entry("eventTypes", "webhooks.events"),
            Map.entry("occurredOn", "milestone.when"), Map.entry("title", "milestone.title"),
            Map.entry("kind", "milestone.kind"), Map.entry("learningKind", "milestone.learningKind"),
            Map.entry("agencyId", "consent.agencyId"), Map.entry("agencyKind", "consent.agencyKind"),
            Map.entry("purpose", "consent.purpose"), Map.entry("method", "consent.method"));

    /** The order the forms ask in: the API names broken fields in no set order, the page lists them as the form does. */
    private static final List<String> FORM_ORDER = List.of("givenName", "familyName", "preferredName", "dateOfBirth",
            "email", "phone", "localityCode", "preferredLanguage", "barriers", "goals", "interests", "agencyId",
            "agencyKind", "purpose", "method", "need", "urgency", "kind", "occurredOn", "learningKind", "title", "url",
            "eventTypes");

    private final MessageSource messages;

    Problems(MessageSource messages) {
        this.messages = messages;
    }

    /**
     * The refusal in one line: "Check the fields below." for a form's fields, the page's words for a kind it knows,
     * else a general sentence in the page's language (the API's detail is English, and written for developers).
     */
    public String summary(ApiProblem problem) {
        if ("validation".equals(problem.kind()) || !fields(problem).isEmpty() && problem.body().get("detail") == null) {
            return message("form.validation", null, "Check the fields below.");
        }
        String known = problem.kind().isEmpty() ? null : message("problem." + problem.kind(), null, null);
        if (known == null && (problem.status().is5xxServerError() || problem.status().value() == 429)) {
            // Not the worker's doing: "check what you entered" would send them looking for a mistake.
            return message("problem.try-later", null, "Try again in a minute.");
        }
        return known != null ? known : message("problem.generic", null, "That could not be done.");
    }

    /** Each field the API named, with the form's label and words for what is wrong, in the page's language. */
    public List<FieldProblem> fields(ApiProblem problem) {
        List<FieldProblem> fields = new ArrayList<>();
        if (problem.body().get("errors") instanceof List<?> errors) {
            for (Object error : errors) {
                if (error instanceof Map<?, ?> named && named.get("field") != null) {
                    // "localities[0]" is the form's localities field: its label, and the link to its input
                    String field = named.get("field").toString().replaceAll("\\[\\d+]", "");
                    String code = named.get("code") == null ? "Invalid" : named.get("code").toString();
                    String label = message("field." + field, null,
                            LABELS.containsKey(field) ? message(LABELS.get(field), null, field) : field);
                    String fallback = message("error.Invalid", label, label);
                    fields.add(new FieldProblem(field, message("error." + code, label, fallback)));
                }
            }
        }
        fields.sort(java.util.Comparator.comparingInt((FieldProblem f) -> {
            int at = FORM_ORDER.indexOf(f.field());
            return at < 0 ? FORM_ORDER.size() : at;
        }).thenComparing(FieldProblem::field));
        return fields;
    }

    /** For an action on something no longer there: most often done already, by a second click or the Back button. */
    public String gone() {
        return message("problem.gone", null, "That is no longer there.");
    }

    /** The summary and every field, as one line: for a page that shows the refusal after a redirect. */
    public String text(ApiProblem problem) {
        StringBuilder text = new StringBuilder(summary(problem));
        for (FieldProblem field : fields(problem)) {
            text.append(' ').append(field.text());
        }
        return text.toString();
    }

    private String message(String key, String argument, String otherwise) {
        Locale locale = LocaleContextHolder.getLocale();
        return messages.getMessage(key, argument == null ? null : new Object[] {argument}, otherwise, locale);
    }
}
