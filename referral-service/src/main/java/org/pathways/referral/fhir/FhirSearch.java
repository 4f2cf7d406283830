package org.pathways.referral.fhir;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import org.hl7.fhir.r4.model.DateTimeType;
import org.pathways.events.referral.ReferralStatus;
import org.pathways.platform.validation.ResourceId;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.util.MultiValueMap;

/**
 * A FHIR search of Tasks or ServiceRequests, read from its parameters into one store query, always within the
 * referrals the caller's agency is party to (standing first: a search never widens it). Unknown parameters and
 * malformed values are refused (400 {@code OperationOutcome}) rather than ignored, so a client never mistakes an
 * unfiltered answer for a filtered one.
 */
record FhirSearch(Criteria criteria, int count, int offset, boolean includeFocus) {

    static final int DEFAULT_COUNT = 20;
    static final int MAX_COUNT = 100;
    private static final Pattern REFERENCE = Pattern.compile("(?:Organization/)?(" + ResourceId.PATTERN + ")");
    private static final Pattern DATE_PARAM = Pattern.compile("(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.+)");
    /** Parameters every search takes; {@code _format} only as JSON. */
    private static final Set<String> COMMON = Set.of("_count", "_offset", "_lastUpdated", "_format", "_id");

    enum Resource {
        TASK("Task", Set.of("owner", "requester", "status", "_include")),
        SERVICE_REQUEST("ServiceRequest", Set.of("requester", "performer", "status"));

        final String type;
        final Set<String> parameters;

        Resource(String type, Set<String> parameters) {
            this.type = type;
            this.parameters = parameters;
        }
    }

    Query query() {
        return Query.query(criteria)
                .with(Sort.by(Sort.Order.desc("submittedAt"), Sort.Order.desc("_id")))
                .skip(offset).limit(count);
    }

    Query countQuery() {
        return Query.query(criteria);
    }

    static FhirSearch parse(Resource resource, String agencyId, MultiValueMap<String, String> parameters) {
        List<Criteria> all = new ArrayList<>();
        all.add(new Criteria().orOperator(Criteria.where("referringAgencyId").is(agencyId),
                Criteria.where("receivingAgencyId").is(agencyId)));
        int count = DEFAULT_COUNT;
        int offset = 0;
        boolean includeFocus = false;
        for (Map.Entry<String, List<String>> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            String modifierless = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            if (!COMMON.contains(name) && !resource.parameters.contains(name)) {
                throw FhirError.invalid(modifierless.equals(name)
                        ? "The search parameter '" + safe(name) + "' is not supported on " + resource.type + "."
                        : "Search parameter modifiers are not supported ('" + safe(name) + "').");
            }
            for (String value : parameter.getValue()) {
                switch (name) {
                    case "_count" -> count = number(name, value, 1, MAX_COUNT);
                    case "_offset" -> offset = number(name, value, 0, 100_000);
                    case "_format" -> requireJson(value);
                    case "_id" -> all.add(Criteria.where("_id").in(ids(name, value)));
                    case "_lastUpdated" -> all.add(lastUpdated(value));
                    case "owner", "performer" -> all.add(Criteria.where("receivingAgencyId").in(organizations(name,
                            value)));
                    case "requester" -> all.add(Criteria.where("referringAgencyId").in(organizations(name, value)));
                    case "status" -> all.add(Criteria.where("status").in(statuses(resource, value)));
                    case "_include" -> {
                        if (!"Task:focus".equals(value) && !"Task:focus:ServiceRequest".equals(value)) {
                            throw FhirError.invalid("Only _include=Task:focus is supported.");
                        }
                        includeFocus = true;
                    }
                    default -> throw new IllegalStateException(name);
                }
            }
        }
        return new FhirSearch(new Criteria().andOperator(all), count, offset, includeFocus);
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw FhirError.invalid(name + " must be a whole number from " + min + " to " + max + ".");
    }

    private static void requireJson(String value) {
        if (!Set.of("json", "application/json", "application/fhir+json").contains(value.trim())) {
            throw new FhirError(org.springframework.http.HttpStatus.NOT_ACCEPTABLE,
                    org.hl7.fhir.r4.model.OperationOutcome.IssueType.NOTSUPPORTED,
                    "Only JSON is served (_format=json).");
        }
    }

    private static List<String> ids(String name, String value) {
        List<String> ids = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            if (!ResourceId.FORMAT.matcher(part).matches()) {
                throw FhirError.invalid(name + " must be a list of ids.");
            }
            ids.add(part);
        }
        return ids;
    }

    /** {@code Organization/<id>} or a bare id (the type being known), comma-separated for "any of". */
    private static List<String> organizations(String name, String value) {
        List<String> ids = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            Matcher matcher = REFERENCE.matcher(part.trim());
            if (!matcher.matches()) {
                throw FhirError.invalid(name + " must reference an Organization (Organization/<id>).");
            }
            ids.add(matcher.group(1));
        }
        return ids;
    }

    private static Collection<ReferralStatus> statuses(Resource resource, String value) {
        Set<ReferralStatus> statuses = EnumSet.noneOf(ReferralStatus.class);
        for (String code : value.split(",", -1)) {
            if (resource == Resource.TASK) {
                statuses.add(TaskStatusMapping.forTaskCode(code.trim()).orElseThrow(() -> FhirError.invalid(
                        "status must be Task status codes (requested, received, accepted, in-progress, on-hold, "
                                + "completed, rejected, failed, cancelled).")));
            } else {
                Set<ReferralStatus> matching = TaskStatusMapping.forRequestCode(code.trim());
                if (matching.isEmpty()) {
                    throw FhirError.invalid(
                            "status must be ServiceRequest status codes (active, on-hold, completed, revoked).");
                }
                statuses.addAll(matching);
            }
        }
        return statuses;
    }

    /**
     * {@code _lastUpdated} with a prefix ({@code ge}, {@code gt}, {@code le}, {@code lt}, or {@code eq}/none for
     * the whole period the value names): the referral's last change is the latest time in its history, so "changed
     * at or after t" is "some change at or after t", and "last changed before t" is "no change at or after t".
     */
    private static Criteria lastUpdated(String value) {
        Matcher matcher = DATE_PARAM.matcher(value.trim());
        if (!matcher.matches()) {
            throw FhirError.invalid("_lastUpdated must be a date or dateTime with an optional prefix.");
        }
        String prefix = matcher.group(1) == null ? "eq" : matcher.group(1);
        if (!Set.of("eq", "ge", "gt", "le", "lt").contains(prefix)) {
            throw FhirError.invalid("_lastUpdated takes the prefixes eq, ge, gt, le and lt.");
        }
        DateTimeType date;
        try {
            date = new DateTimeType(matcher.group(2));
        } catch (RuntimeException e) {
            throw FhirError.invalid("_lastUpdated must be a date or dateTime with an optional prefix.");
        }
        Instant start = date.getValue().toInstant();
        Instant end = upperBound(date);
        return switch (prefix) {
            case "ge" -> changedSince(start);
            case "gt" -> changedSince(end);
            case "lt" -> new Criteria().norOperator(changedSince(start));
            case "le" -> new Criteria().norOperator(changedSince(end));
            default -> new Criteria().andOperator(changedSince(start), new Criteria().norOperator(changedSince(end)));
        };
    }

    /** Some change of status at or after {@code at}: the last one is. */
    private static Criteria changedSince(Instant at) {
        return Criteria.where("history.at").gte(at);
    }

    /** The first instant after the period a date or dateTime names (a day, a second...). */
    private static Instant upperBound(DateTimeType date) {
        TemporalPrecisionEnum precision = date.getPrecision();
        java.util.Calendar calendar = java.util.Calendar.getInstance(
                date.getTimeZone() != null ? date.getTimeZone() : java.util.TimeZone.getDefault());
        calendar.setTime(date.getValue());
        calendar.add(precision.getCalendarConstant(), 1);
        return calendar.toInstant();
    }

    private static String safe(String name) {
        return name.length() > 40 || !name.matches("[A-Za-z0-9_:.-]*") ? "…" : name;
    }
}
