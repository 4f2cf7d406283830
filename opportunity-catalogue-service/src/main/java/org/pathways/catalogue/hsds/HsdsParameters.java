package org.pathways.catalogue.hsds;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;

/**
 * The query parameters one HSDS endpoint honours. The standard's API offers many ({@code search},
 * {@code taxonomy_term_id}, {@code modified_after}, {@code postcode}...); a client whose filter was silently ignored
 * would take the whole catalogue for the answer to its question. So any other parameter is refused by name
 * ({@code 400 unsupported-parameter}, with {@code parameter}), never ignored.
 *
 * @param honoured parameters the endpoint acts on, any value (the handler validates it)
 * @param onlyAs   the standard's parameters that ask for what this endpoint answers anyway, accepted with that value
 *                 only ({@code format=json}, {@code full=true}...); another value asks for something else: refused
 */
record HsdsParameters(Set<String> honoured, Map<String, String> onlyAs) {

    static final String UNSUPPORTED = "unsupported-parameter";

    /** Every answer here is JSON, one document (the standard's default format). */
    private static final Map<String, String> JSON_ONLY = Map.of("format", "json");

    static final HsdsParameters ROOT = new HsdsParameters(Set.of(), JSON_ONLY);
    /** Services are always fully nested here: {@code full=true} asks for what is answered, {@code minimal=true} not. */
    static final HsdsParameters SERVICES = new HsdsParameters(Set.of("page", "per_page", "organization_id"),
            Map.of("format", "json", "full", "true", "minimal", "false"));
    static final HsdsParameters SERVICE = new HsdsParameters(Set.of(), JSON_ONLY);
    static final HsdsParameters ORGANIZATIONS = new HsdsParameters(Set.of("page", "per_page"), JSON_ONLY);
    /** One organization lists its services in brief ({@code full_service=false}); whole, they are paged by services. */
    static final HsdsParameters ORGANIZATION = new HsdsParameters(Set.of(),
            Map.of("format", "json", "full_service", "false"));

    /** Refuses the first parameter of {@code request} that this endpoint does not honour. */
    void check(HttpServletRequest request) {
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            String name = parameter.getKey();
            if (honoured.contains(name)) {
                continue;
            }
            String only = onlyAs.get(name);
            if (only == null) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, UNSUPPORTED, "The parameter '" + safe(name)
                        + "' is not supported here; send only " + supported() + ".", Map.of("parameter", safe(name)));
            }
            for (String value : parameter.getValue()) {
                if (!only.equals(value.strip().toLowerCase(Locale.ROOT))) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, UNSUPPORTED, "The parameter '" + name
                            + "' is supported here only as " + name + "=" + only + " (what this endpoint answers).",
                            Map.of("parameter", name));
                }
            }
        }
    }

    private String supported() {
        StringBuilder list = new StringBuilder();
        honoured.stream().sorted().forEach(name -> list.append(list.isEmpty() ? "" : ", ").append(name));
        onlyAs.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> list
                .append(list.isEmpty() ? "" : ", ").append(entry.getKey()).append('=').append(entry.getValue()));
        return list.toString();
    }

    /** A parameter name as the caller sent it, cut to what is safe to repeat (no markup, no control characters). */
    private static String safe(String name) {
        String kept = name.replaceAll("[^A-Za-z0-9_.\\-\\[\\]]", "?");
        return kept.length() > 64 ? kept.substring(0, 64) + "…" : kept;
    }
}
