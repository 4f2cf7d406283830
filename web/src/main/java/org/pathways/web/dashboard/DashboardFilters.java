package org.pathways.web.dashboard;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.web.util.UriComponentsBuilder;

/**
 * What the coordinator chose to look at: a period ({@code from}–{@code to}, counted by day or week), and optionally
 * one receiving agency, opportunity kind, locality, pathway step (an opportunity) and learning kind. Values that
 * cannot be right are dropped here (and the page says the default applies) rather than sent to the API; the API
 * checks everything again.
 */
public record DashboardFilters(LocalDate from, LocalDate to, String period, String agency, String kind, String locality,
                        String opportunity, String learningKind, String groupBy) {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Pattern LOCALITY = Pattern.compile("[A-Z0-9-]{1,16}");
    static final Set<String> PERIODS = Set.of("WEEK", "DAY");
    public static final List<String> KINDS_IN_ORDER = List.of("INFORMAL_LEARNING", "NON_FORMAL_LEARNING",
            "FORMAL_LEARNING", "ADVICE", "HEALTH_AND_WELLBEING", "EMPLOYMENT_SUPPORT", "CHILDCARE", "VOLUNTEERING");
    static final Set<String> KINDS = Set.copyOf(KINDS_IN_ORDER);
    static final Set<String> LEARNING_KINDS = Set.of("INFORMAL", "NON_FORMAL", "FORMAL");
    /** The funnel's cuts (the API's {@code groupBy}). */
    public static final List<String> GROUPINGS = List.of("RECEIVING_AGENCY", "REFERRING_AGENCY", "OPPORTUNITY_KIND",
            "LOCALITY");
    /** The API's default window, and its longest. */
    static final int DEFAULT_DAYS = 28;
    static final int LONGEST_DAYS = 366;

    static DashboardFilters of(String from, String to, String period, String agency, String kind, String locality,
                               String opportunity, String learningKind, LocalDate today) {
        return of(from, to, period, agency, kind, locality, opportunity, learningKind, null, today);
    }

    static DashboardFilters of(String from, String to, String period, String agency, String kind, String locality,
                               String opportunity, String learningKind, String groupBy, LocalDate today) {
        LocalDate end = date(to);
        if (end == null || end.isAfter(today)) {
            end = today;
        }
        LocalDate start = date(from);
        if (start == null || start.isAfter(end) || start.isBefore(end.minusDays(LONGEST_DAYS - 1))) {
            start = end.minusDays(DEFAULT_DAYS - 1);
        }
        String normalisedLocality = locality == null ? null : locality.strip().toUpperCase(Locale.ROOT);
        return new DashboardFilters(start, end, choice(period, PERIODS, "WEEK"), matching(agency, ID),
                choice(kind, KINDS, null), matching(normalisedLocality, LOCALITY), matching(opportunity, ID),
                choice(learningKind, LEARNING_KINDS, null), choice(groupBy, Set.copyOf(GROUPINGS), null));
    }

    /**
     * Whether the dates asked for ({@code from}, {@code to} as typed) were not the ones used: the page then says so,
     * rather than show another period as if it were the one asked for.
     */
    boolean adjusted(String askedFrom, String askedTo) {
        LocalDate from = date(askedFrom);
        LocalDate to = date(askedTo);
        return askedFrom != null && !askedFrom.isBlank() && !from().equals(from)
                || askedTo != null && !askedTo.isBlank() && !to().equals(to);
    }

    private static LocalDate date(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return LocalDate.parse(text.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String choice(String value, Set<String> allowed, String otherwise) {
        return value != null && allowed.contains(value) ? value : otherwise;
    }

    private static String matching(String value, Pattern pattern) {
        return value != null && pattern.matcher(value).matches() ? value : null;
    }

    /** The query string that brings back this view (for the CSV links and the live refresh). */
    String query() {
        UriComponentsBuilder builder = UriComponentsBuilder.newInstance();
        asParameters().forEach(builder::queryParam);
        return builder.build().encode().getQuery();
    }

    Map<String, String> asParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("from", from.toString());
        parameters.put("to", to.toString());
        parameters.put("period", period);
        put(parameters, "agency", agency);
        put(parameters, "kind", kind);
        put(parameters, "locality", locality);
        put(parameters, "opportunity", opportunity);
        put(parameters, "learningKind", learningKind);
        put(parameters, "groupBy", groupBy);
        return parameters;
    }

    private static void put(Map<String, String> parameters, String name, String value) {
        if (value != null) {
            parameters.put(name, value);
        }
    }
}
