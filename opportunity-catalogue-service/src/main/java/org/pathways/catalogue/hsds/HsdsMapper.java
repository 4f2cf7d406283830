package org.pathways.catalogue.hsds;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.catalogue.agency.AgencyDetails;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.Benefit;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.DraftOpportunity;
import org.pathways.catalogue.opportunity.Eligibility;
import org.pathways.catalogue.opportunity.FreeFor;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.Schedule;
import org.pathways.catalogue.opportunity.TimeSlot;
import org.pathways.catalogue.opportunity.Venue;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.opportunity.OpportunityKind;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * HSDS 3.0 records ↔ the catalogue, both ways, and nothing else: no store, no events. An organization (as
 * {@link HsdsFeed} nests it) becomes an agency's details, a service an opportunity's details with the status it asks
 * for; an agency becomes an organization and an opportunity a service. Import → export → import gives the same
 * details.
 *
 * <p>Reading keeps what can be kept: a value the catalogue cannot hold (a phone number without digits, an
 * out-of-range coordinate, an over-long service area, an unknown currency) is left out with a warning naming the
 * HSDS field, and the record is imported without it. A record is refused only when what identifies it is missing or
 * wrong (id, name, status), each with an {@link ImportIssue}.
 */
@Component
class HsdsMapper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    static final List<String> WEEKDAYS = List.of("MO", "TU", "WE", "TH", "FR");
    static final LocalTime EVENING = LocalTime.of(17, 0);
    /** HSDS times ({@code opens_at}): "10:00", "10:00:00", with seconds' fractions or an offset ("10:00:00Z"). */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("H:mm[:ss[.SSS]][XXX]");

    private final Validator validator;

    HsdsMapper(Validator validator) {
        this.validator = validator;
    }

    /** What a record maps to ({@code null} when refused) and what the mapping reports about it. */
    record Mapped<T>(T value, List<ImportFinding> findings) {
        boolean refused() {
            return value == null;
        }
    }

    /** An organization's details and its HSDS id. */
    record AgencyEntry(String hsdsId, AgencyDetails details) {
    }

    /**
     * A service's details, its HSDS id, its organization's HSDS id, and the status it asks for (PUBLISHED for active,
     * TEMPORARILY_CLOSED for temporarily closed or inactive, ENDED for defunct).
     */
    record OpportunityEntry(String serviceId, String organizationId, OpportunityStatus status,
                            DraftOpportunity details) {
    }

    // ---------------------------------------------------------------------------------------------- HSDS → catalogue

    Mapped<AgencyEntry> agency(JsonNode org) {
        Report report = new Report();
        if (!HsdsFeed.isUuid(org.path("id"))) {
            return report.refuse("organizations", org, ImportIssue.ID_NOT_UUID, null);
        }
        String hsdsId = org.path("id").asString();
        Map<HsdsTaxonomy, List<String>> codes = codes(report, org);
        AgencySector sector = report.code(AgencySector.class, HsdsTaxonomy.AGENCY_SECTOR,
                first(codes, HsdsTaxonomy.AGENCY_SECTOR)).orElse(AgencySector.VOLUNTARY);
        AgencyKind kind = report.code(AgencyKind.class, HsdsTaxonomy.AGENCY_KIND, first(codes, HsdsTaxonomy.AGENCY_KIND))
                .orElse(AgencyKind.OTHER);
        String referrals = first(codes, HsdsTaxonomy.REFERRALS);
        if (referrals != null && !List.of("DIRECT", "SIGNPOSTING").contains(referrals.toUpperCase(Locale.ROOT))) {
            report.unknownCode(HsdsTaxonomy.REFERRALS);
        }
        AgencyDetails details;
        try {
            details = new AgencyDetails(text(org, "name"), sector, kind,
                    codes.getOrDefault(HsdsTaxonomy.LOCALITY, List.of()), contacts(report, org.path("contacts")),
                    !"SIGNPOSTING".equalsIgnoreCase(referrals), text(org, "website"), null,
                    text(org, "description"), text(org, "email"), phone(report, org.path("phones")));
        } catch (RuntimeException e) {
            return report.refuse("organizations", org, ImportIssue.UNREADABLE, null);
        }
        details = report.keepValid("organizations", org, details, AgencyDetails.class, ORGANIZATION_FIELDS,
                Set.of("name", "sector", "kind", "acceptsDirectReferrals"));
        if (details == null) {
            return report.done(null);
        }
        report.notMapped("organizations", org, ORGANIZATION_NOT_MAPPED);
        report.unread("organizations", org);
        return report.done(new AgencyEntry(hsdsId, details));
    }

    Mapped<OpportunityEntry> opportunity(JsonNode service) {
        Report report = new Report();
        if (!HsdsFeed.isUuid(service.path("id"))) {
            return report.refuse("services", service, ImportIssue.ID_NOT_UUID, null);
        }
        OpportunityStatus target = switch (service.path("status").asString("").strip().toLowerCase(Locale.ROOT)) {
            case "active" -> OpportunityStatus.PUBLISHED;
            // Not operating now, and the source may say "active" again: closed for now, never withdrawn for good.
            case "temporarily closed", "inactive" -> OpportunityStatus.TEMPORARILY_CLOSED;
            case "defunct" -> OpportunityStatus.ENDED;
            default -> null;
        };
        if (target == null) {
            return report.refuse("services", service, ImportIssue.UNKNOWN_STATUS, null);
        }
        DraftOpportunity details;
        try {
            details = details(report, service);
        } catch (RuntimeException e) {
            return report.refuse("services", service, ImportIssue.UNREADABLE, null);
        }
        details = report.keepValid("services", service, details, DraftOpportunity.class, SERVICE_FIELDS,
                Set.of("title", "kind"));
        if (details == null) {
            return report.done(null);
        }
        report.notMapped("services", service, SERVICE_NOT_MAPPED);
        report.unread("services", service);
        return report.done(new OpportunityEntry(service.path("id").asString(),
                service.path("organization_id").asString(""), target, details));
    }

    private DraftOpportunity details(Report report, JsonNode service) {
        Map<HsdsTaxonomy, List<String>> codes = codes(report, service);
        OpportunityKind kind = report.code(OpportunityKind.class, HsdsTaxonomy.OPPORTUNITY_KIND,
                first(codes, HsdsTaxonomy.OPPORTUNITY_KIND)).orElse(OpportunityKind.ADVICE);
        Optional<DeliveryMode> declaredMode = report.code(DeliveryMode.class, HsdsTaxonomy.MODE,
                first(codes, HsdsTaxonomy.MODE));
        Set<AccessibilityFeature> accessibility = new LinkedHashSet<>(
                report.codes(AccessibilityFeature.class, HsdsTaxonomy.ACCESSIBILITY, codes));
        String waitlist = first(codes, HsdsTaxonomy.WAITLIST);
        if (waitlist != null && !"OPEN".equalsIgnoreCase(waitlist)) {
            report.unknownCode(HsdsTaxonomy.WAITLIST);
        }
        String capacityValue = first(codes, HsdsTaxonomy.CAPACITY);
        Integer capacity = capacityValue == null ? null : Integer.valueOf(capacityValue);
        List<Venue> venues = new ArrayList<>();
        String url = text(service, "url");
        boolean virtual = false;
        for (JsonNode link : service.path("service_at_locations")) {
            report.nestedNotMapped("service_at_locations", link, SERVICE_AT_LOCATION_NOT_MAPPED);
            JsonNode location = link.path("location");
            if (!location.isObject()) {
                report.warn("service_at_locations", link, ImportIssue.UNKNOWN_SERVICE_OR_LOCATION, null);
                continue;
            }
            report.nestedNotMapped("locations", location, LOCATION_NOT_MAPPED);
            if ("virtual".equals(location.path("location_type").asString(""))) {
                // Online delivery; its url becomes the opportunity's when the service has none of its own.
                virtual = true;
                String locationUrl = text(location, "url");
                if (url == null) {
                    url = locationUrl;
                } else if (locationUrl != null && !locationUrl.equals(url)) {
                    report.warn("locations", location, ImportIssue.SECOND_URL, null);
                }
                continue;
            }
            for (JsonNode address : location.path("addresses")) {
                report.nestedNotMapped("addresses", address, ADDRESS_NOT_MAPPED);
            }
            String locality = text(location.path("addresses").path(0), "city");
            if (locality == null || locality.isBlank()) {
                report.warn("locations", location, ImportIssue.LOCATION_WITHOUT_CITY, null);
                continue;
            }
            Double lat = report.number(location, "locations", "latitude");
            Double lon = report.number(location, "locations", "longitude");
            boolean point = lat != null && lon != null;
            if (point && (Math.abs(lat) > 90 || Math.abs(lon) > 180)) {
                report.warn("locations", location, ImportIssue.COORDINATES, "latitude, longitude");
                point = false;
            }
            // A location's accessibility, where its text names a feature the catalogue knows ("step free").
            for (JsonNode feature : location.path("accessibility")) {
                report.nestedNotMapped("accessibility", feature, ACCESSIBILITY_NOT_MAPPED);
                for (String field : List.of("description", "accessibility")) {
                    String description = text(feature, field);
                    if (description != null && !description.isBlank()) {
                        Optional<AccessibilityFeature> known = enumOf(AccessibilityFeature.class,
                                description.strip().replaceAll("[ -]+", "_"));
                        known.ifPresent(accessibility::add);
                        if (known.isEmpty()) {
                            // Words the catalogue's features do not name ("wheelchair accessible"): not kept.
                            report.nestedNotMapped("accessibility", feature, List.of(field));
                        }
                    }
                }
            }
            String name = text(location, "name");
            venues.add(new Venue(name == null || name.isBlank() ? locality : name, locality, point ? lat : null,
                    point ? lon : null));
        }
        Set<String> languages = new LinkedHashSet<>();
        for (JsonNode language : service.path("languages")) {
            String code = language.path("code").asString("").strip().toLowerCase(Locale.ROOT);
            if (code.matches("[a-z]{2,3}")) {
                languages.add(code);
            } else {
                report.warn("languages", language, ImportIssue.LANGUAGE_CODE, null);
            }
        }
        Integer costPence = null;
        String currency = null;
        int costIndex = 0;
        for (JsonNode cost : service.path("cost_options")) {
            report.nestedNotMapped("cost_options", cost, COST_NOT_MAPPED);
            Double amount = report.number(cost, "cost_options", "amount");
            if (amount == null) {
                continue;
            }
            if (costIndex++ > 0) {
                report.warn("cost_options", cost, ImportIssue.MORE_COSTS, null);
                continue;
            }
            String code = text(cost, "currency");
            code = code == null || code.isBlank() ? "GBP" : code.strip().toUpperCase(Locale.ROOT);
            if (code.matches("[A-Z]{3}")) {
                costPence = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(amount * 100)));
                currency = code;
            } else {
                report.warn("cost_options", cost, ImportIssue.CURRENCY, null);
            }
        }
        Set<TimeSlot> declaredSlots = new LinkedHashSet<>(
                report.codes(TimeSlot.class, HsdsTaxonomy.TIME_SLOT, codes));
        Schedule schedule = schedule(report, service.path("schedules"), declaredSlots);
        Integer minAge = report.whole(service, "services", "minimum_age");
        Integer maxAge = report.whole(service, "services", "maximum_age");
        if (minAge != null && maxAge != null && maxAge < minAge) {
            report.warn("services", service, ImportIssue.AGE_RANGE, "minimum_age, maximum_age");
            minAge = null;
            maxAge = null;
        }
        List<String> residentIn = new ArrayList<>();
        for (JsonNode area : service.path("service_areas")) {
            report.nestedNotMapped("service_areas", area, SERVICE_AREA_NOT_MAPPED);
            String name = text(area, "name");
            if (name == null || name.isBlank()) {
                name = text(area, "service_area"); // the Open Referral UK profile's field
            }
            if (name != null && !name.isBlank()) {
                residentIn.add(name);
            }
        }
        DeliveryMode mode = declaredMode.orElse(!virtual ? DeliveryMode.IN_PERSON
                : venues.isEmpty() ? DeliveryMode.ONLINE : DeliveryMode.BLENDED);
        Set<Benefit> benefits = Set.copyOf(report.codes(Benefit.class, HsdsTaxonomy.BENEFIT, codes));
        Set<FreeFor> freeFor = Set.copyOf(report.codes(FreeFor.class, HsdsTaxonomy.FREE_FOR, codes));
        return new DraftOpportunity(text(service, "name"), text(service, "description"), kind,
                first(codes, HsdsTaxonomy.LEVEL), capacity, codes.getOrDefault(HsdsTaxonomy.SUBJECT, List.of()),
                mode, venues, schedule, costPence, freeFor,
                new Eligibility(minAge, maxAge, residentIn, benefits, first(codes, HsdsTaxonomy.PRIOR_LEVEL),
                        text(service, "eligibility_description")),
                accessibility, languages.isEmpty() ? null : languages,
                "OPEN".equalsIgnoreCase(waitlist), url, text(service, "email"),
                phone(report, service.path("phones")), contacts(report, service.path("contacts")),
                text(service, "fees_description"), currency);
    }

    /** Contacts with a name, each with its first phone (the rest of its phones are reported). */
    private static List<AgencyContact> contacts(Report report, JsonNode nodes) {
        List<AgencyContact> contacts = new ArrayList<>();
        for (JsonNode contact : nodes) {
            report.nestedNotMapped("contacts", contact, CONTACT_NOT_MAPPED);
            if (!contact.path("name").isString() || contact.path("name").asString().isBlank()) {
                report.warn("contacts", contact, ImportIssue.CONTACT_WITHOUT_NAME, null);
                continue;
            }
            contacts.add(new AgencyContact(contact.path("name").asString().strip(), text(contact, "title"),
                    text(contact, "email"), phone(report, contact.path("phones"))));
        }
        return contacts;
    }

    /** The number of the first phone; any further phones are reported as not kept. */
    private static String phone(Report report, JsonNode phones) {
        String number = null;
        int index = 0;
        for (JsonNode phone : phones) {
            report.nestedNotMapped("phones", phone, PHONE_NOT_MAPPED);
            if (index++ == 0) {
                number = text(phone, "number");
            } else {
                report.warn("phones", phone, ImportIssue.MORE_PHONES, null);
            }
        }
        return number;
    }

    /**
     * An opportunity's schedule from a service's schedules: the dates, session count and description of the first,
     * and the weekly slots: those a {@code pathways-time-slot} attribute names (what the catalogue exports), else
     * those of every schedule's weekly rule ({@code byday} with a weekend day → weekend; weekdays opening at 17:00
     * or later → weekday evenings, earlier → weekday daytime).
     */
    private static Schedule schedule(Report report, JsonNode schedules, Set<TimeSlot> declaredSlots) {
        JsonNode when = schedules.path(0);
        LocalDate from = null;
        LocalDate to = null;
        Integer count = null;
        String times = null;
        for (JsonNode each : schedules) {
            report.nestedNotMapped("schedules", each, SCHEDULE_NOT_MAPPED);
        }
        if (when.isObject()) {
            from = report.date(when, "valid_from");
            to = report.date(when, "valid_to");
            if (from != null && to != null && to.isBefore(from)) {
                report.warn("schedules", when, ImportIssue.SCHEDULE_DATES, "valid_from, valid_to");
                from = null;
                to = null;
            }
            count = report.whole(when, "schedules", "count");
            times = text(when, "description");
        }
        Set<TimeSlot> slots = new LinkedHashSet<>(declaredSlots);
        for (JsonNode weekly : declaredSlots.isEmpty() ? schedules : JSON.createArrayNode()) {
            String byday = text(weekly, "byday");
            if (byday == null || byday.isBlank()) {
                continue;
            }
            List<String> days = List.of(byday.toUpperCase(Locale.ROOT).replace(" ", "").split(","));
            if (days.contains("SA") || days.contains("SU")) {
                slots.add(TimeSlot.WEEKEND);
            }
            if (days.stream().anyMatch(day -> !WEEKDAYS.contains(day) && !day.equals("SA") && !day.equals("SU"))) {
                report.unreadable("schedules.byday");
            }
            if (days.stream().anyMatch(WEEKDAYS::contains)) {
                String opens = text(weekly, "opens_at");
                if (opens == null || opens.isBlank()) {
                    slots.add(TimeSlot.WEEKDAY_DAYTIME);
                } else {
                    // A time that cannot be read says neither daytime nor evening: no weekday slot is guessed.
                    time(opens).ifPresentOrElse(time -> slots.add(time.isBefore(EVENING) ? TimeSlot.WEEKDAY_DAYTIME
                            : TimeSlot.WEEKDAY_EVENING), () -> report.unreadable("schedules.opens_at"));
                }
            }
        }
        if (from == null && to == null && count == null && times == null && slots.isEmpty()) {
            return null;
        }
        return new Schedule(from, to, count, slots, times);
    }

    /**
     * The codes of a record's attributes by Pathways taxonomy (terms of other taxonomies count as subject terms, by
     * name, or the UK profile's {@code term}); for the capacity, the attribute's value.
     */
    private static Map<HsdsTaxonomy, List<String>> codes(Report report, JsonNode record) {
        Map<HsdsTaxonomy, List<String>> codes = new HashMap<>();
        for (JsonNode attribute : record.path("attributes")) {
            JsonNode term = attribute.path("taxonomy_term");
            if (!term.isObject()) {
                report.warn("attributes", attribute, ImportIssue.NO_TAXONOMY_TERM, null);
                continue;
            }
            HsdsTaxonomy taxonomy = HsdsTaxonomy.of(term.path("taxonomy").asString(""));
            String code = text(term, "code");
            if (taxonomy == null) {
                taxonomy = HsdsTaxonomy.SUBJECT;
                code = text(term, "name");
                if (code == null || code.isBlank()) {
                    code = text(term, "term");
                }
            }
            if (code == null || code.isBlank()) {
                report.warn("attributes", attribute, ImportIssue.TERM_WITHOUT_CODE, null);
                continue;
            }
            if (taxonomy == HsdsTaxonomy.CAPACITY) {
                // The capacity is the attribute's value, not a term.
                code = attribute.path("value").asString("");
                if (!code.matches("[0-9]{1,6}")) {
                    report.warn("attributes", attribute, ImportIssue.CAPACITY_NOT_A_NUMBER, null);
                    continue;
                }
            }
            codes.computeIfAbsent(taxonomy, k -> new ArrayList<>()).add(code.strip());
        }
        return codes;
    }

    /** What one record's mapping reports. */
    private final class Report {
        final List<ImportFinding> findings = new ArrayList<>();
        /** Fields of nested records with a value the catalogue has no place for ({@code contacts.department}). */
        final Set<String> nestedNotMapped = new LinkedHashSet<>();
        /** Pathways taxonomies with a code the catalogue does not know. */
        final Set<String> unknownCodes = new LinkedHashSet<>();
        /** Fields whose value could not be read as what the standard says it is (a time, a date, a number). */
        final Set<String> unreadable = new LinkedHashSet<>();

        void nestedNotMapped(String table, JsonNode nested, List<String> fields) {
            for (String field : fields) {
                if (hasValue(nested.path(field))) {
                    nestedNotMapped.add(table + "." + field);
                }
            }
        }

        void unknownCode(HsdsTaxonomy taxonomy) {
            unknownCodes.add(taxonomy.taxonomy);
        }

        void unreadable(String field) {
            unreadable.add(field);
        }

        /** The code as the catalogue's value; a code it does not know is reported (and a default applies). */
        <E extends Enum<E>> Optional<E> code(Class<E> type, HsdsTaxonomy taxonomy, String code) {
            Optional<E> known = enumOf(type, code);
            if (code != null && known.isEmpty()) {
                unknownCode(taxonomy);
            }
            return known;
        }

        /** Every code of the taxonomy the catalogue knows, in order; the others are reported. */
        <E extends Enum<E>> List<E> codes(Class<E> type, HsdsTaxonomy taxonomy, Map<HsdsTaxonomy, List<String>> all) {
            return all.getOrDefault(taxonomy, List.of()).stream().map(code -> code(type, taxonomy, code))
                    .flatMap(Optional::stream).distinct().toList();
        }

        /** A number, or null; a value that is there but is no number is reported as unreadable. */
        Double number(JsonNode record, String table, String field) {
            Double number = HsdsMapper.number(record.path(field));
            if (number == null && hasValue(record.path(field))) {
                unreadable(table + "." + field);
            }
            return number;
        }

        /** A whole number, or null; a value that is there but is no whole number is reported as unreadable. */
        Integer whole(JsonNode record, String table, String field) {
            Integer whole = HsdsMapper.whole(record.path(field));
            if (whole == null && hasValue(record.path(field))) {
                unreadable(table.equals("services") ? field : table + "." + field);
            }
            return whole;
        }

        /** An ISO date of a schedule, or null; a value that is there but is no date is reported as unreadable. */
        LocalDate date(JsonNode schedule, String field) {
            LocalDate date = HsdsMapper.date(schedule, field);
            if (date == null && hasValue(schedule.path(field))) {
                unreadable("schedules." + field);
            }
            return date;
        }

        /** Reports, for the record just mapped, the codes it did not know and the values it could not read. */
        void unread(String table, JsonNode record) {
            if (!unknownCodes.isEmpty()) {
                warn(table, record, ImportIssue.UNKNOWN_CODE, "attributes (" + String.join(", ", unknownCodes) + ")");
            }
            if (!unreadable.isEmpty()) {
                warn(table, record, ImportIssue.NOT_READ, String.join(", ", unreadable));
            }
        }

        void warn(String table, JsonNode record, ImportIssue issue, String field) {
            findings.add(ImportFinding.of(table, record, issue, field));
        }

        <T> Mapped<T> refuse(String table, JsonNode record, ImportIssue issue, String field) {
            findings.add(ImportFinding.of(table, record, issue, field));
            return new Mapped<>(null, findings);
        }

        <T> Mapped<T> done(T value) {
            return new Mapped<>(value, findings);
        }

        /**
         * Reports the HSDS fields of {@code record} among {@code unmapped} that carry a value, then those of its
         * nested records (as {@code table.field}).
         */
        void notMapped(String table, JsonNode record, List<String> unmapped) {
            List<String> fields = new ArrayList<>(unmapped.stream().filter(field -> hasValue(record.path(field)))
                    .toList());
            fields.addAll(nestedNotMapped);
            String present = String.join(", ", fields);
            if (!present.isEmpty()) {
                warn(table, record, ImportIssue.NOT_MAPPED, present);
            }
        }

        /**
         * The details with every value the catalogue's validation refuses left out (each reported as
         * {@code FIELD_DROPPED} with its HSDS field); {@code null}, reported as {@code INVALID_FIELD}, when a
         * {@code required} property is at fault or a value cannot be left out.
         */
        <T> T keepValid(String table, JsonNode record, T details, Class<T> type, Map<String, String> fields,
                        Set<String> required) {
            Set<String> dropped = new java.util.TreeSet<>();
            for (int round = 0; round < 100; round++) {
                Set<ConstraintViolation<T>> violations = validator.validate(details);
                if (violations.isEmpty()) {
                    if (!dropped.isEmpty()) {
                        warn(table, record, ImportIssue.FIELD_DROPPED, String.join(", ", dropped));
                    }
                    return details;
                }
                ConstraintViolation<T> violation = violations.stream()
                        .min(java.util.Comparator.comparing(v -> v.getPropertyPath().toString())).orElseThrow();
                String property = violation.getPropertyPath().toString();
                String root = property.split("[.\\[]", 2)[0];
                String hsdsField = hsdsField(property, fields);
                if (root.isEmpty() || required.contains(root)) {
                    refuse(table, record, ImportIssue.INVALID_FIELD, violations.stream()
                            .map(v -> hsdsField(v.getPropertyPath().toString(), fields)).distinct().sorted()
                            .collect(Collectors.joining(", ")));
                    return null;
                }
                try {
                    ObjectNode tree = JSON.valueToTree(details);
                    if (!remove(tree, violation.getPropertyPath())) {
                        throw new IllegalStateException("not removable");
                    }
                    details = JSON.treeToValue(tree, type);
                } catch (RuntimeException e) {
                    refuse(table, record, ImportIssue.INVALID_FIELD, hsdsField);
                    return null;
                }
                dropped.add(hsdsField);
            }
            refuse(table, record, ImportIssue.INVALID_FIELD, "other");
            return null;
        }
    }

    /**
     * Removes the value a constraint violation's path names from the details as a JSON tree: a property, or an
     * element of a list (an element of a set, which has no index, takes the whole set).
     */
    private static boolean remove(ObjectNode tree, Path path) {
        JsonNode current = tree;
        JsonNode parent = null;
        Object key = null;
        for (Path.Node node : path) {
            if (node.isInIterable()) {
                if (!(current instanceof ArrayNode) || node.getIndex() == null) {
                    break; // a set's element: drop the whole container
                }
                parent = current;
                key = node.getIndex();
                current = current.path(node.getIndex());
            }
            if (node.getKind() == ElementKind.PROPERTY && node.getName() != null) {
                parent = current;
                key = node.getName();
                current = current.path(node.getName());
            }
        }
        if (parent instanceof ArrayNode array && key instanceof Integer index && index < array.size()) {
            array.remove(index);
            return true;
        }
        if (parent instanceof ObjectNode object && key instanceof String name && object.has(name)) {
            object.remove(name);
            return true;
        }
        return false;
    }

    /** The HSDS fields each catalogue property comes from, to name them (and nothing internal) in a report. */
    private static final Map<String, String> SERVICE_FIELDS = Map.ofEntries(Map.entry("title", "name"),
            Map.entry("description", "description"), Map.entry("level", "attributes"),
            Map.entry("kind", "attributes"), Map.entry("capacity", "attributes"), Map.entry("terms", "attributes"),
            Map.entry("accessibility", "attributes"), Map.entry("freeFor", "attributes"),
            Map.entry("venues", "service_at_locations"), Map.entry("schedule", "schedules"),
            Map.entry("costPence", "cost_options"), Map.entry("costCurrency", "cost_options"),
            Map.entry("languages", "languages"), Map.entry("eligibility.minAge", "minimum_age"),
            Map.entry("eligibility.maxAge", "maximum_age"), Map.entry("eligibility.residentIn", "service_areas"),
            Map.entry("eligibility.benefits", "attributes"), Map.entry("eligibility.priorLevel", "attributes"),
            Map.entry("eligibility.description", "eligibility_description"), Map.entry("url", "url"),
            Map.entry("email", "email"), Map.entry("phone", "phones"), Map.entry("contacts", "contacts"),
            Map.entry("feesDescription", "fees_description"));
    private static final Map<String, String> ORGANIZATION_FIELDS = Map.of("name", "name",
            "localities", "attributes", "contacts", "contacts", "website", "website", "description", "description",
            "email", "email", "phone", "phones", "sector", "attributes", "kind", "attributes");

    private static String hsdsField(String propertyPath, Map<String, String> fields) {
        String path = propertyPath.replaceAll("\\[[^]]*]", "");
        for (String candidate = path; !candidate.isEmpty();
             candidate = candidate.contains(".") ? candidate.substring(0, candidate.lastIndexOf('.')) : "") {
            if (fields.containsKey(candidate)) {
                return fields.get(candidate);
            }
        }
        return "other";
    }

    /** HSDS 3.0 fields of an organization / a service the catalogue has no place for (in the schema's order). */
    static final List<String> ORGANIZATION_NOT_MAPPED = List.of("alternate_name", "tax_status", "tax_id",
            "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id", "funding", "locations",
            "programs", "organization_identifiers", "metadata");
    static final List<String> SERVICE_NOT_MAPPED = List.of("program_id", "alternate_name",
            "interpretation_services", "application_process", "wait_time", "fees", "accreditations", "assured_date",
            "assurer_email", "licenses", "alert", "funding", "program", "required_documents", "metadata");

    /**
     * Fields of nested records the catalogue has no place for, reported as {@code table.field} under the
     * organization or service. Not those the export itself writes (a cost option's {@code option}, a service area's
     * {@code description}, a language's {@code name}, an address's {@code address_type}), so that importing an
     * export reports nothing.
     */
    static final List<String> CONTACT_NOT_MAPPED = List.of("department");
    static final List<String> PHONE_NOT_MAPPED = List.of("extension", "type", "description", "languages");
    static final List<String> SERVICE_AT_LOCATION_NOT_MAPPED = List.of("description", "contacts", "phones",
            "schedules");
    static final List<String> LOCATION_NOT_MAPPED = List.of("alternate_name", "description", "transportation",
            "external_identifier", "external_identifier_type", "languages", "phones", "contacts", "schedules");
    static final List<String> ADDRESS_NOT_MAPPED = List.of("attention", "address_1", "address_2", "region",
            "state_province", "postal_code", "country");
    static final List<String> ACCESSIBILITY_NOT_MAPPED = List.of("details", "url");
    static final List<String> COST_NOT_MAPPED = List.of("valid_from", "valid_to", "amount_description");
    static final List<String> SERVICE_AREA_NOT_MAPPED = List.of("extent", "extent_type", "uri");
    /** A schedule's weekly rule: only the slot of the week it implies is kept (and the first one's dates). */
    static final List<String> SCHEDULE_NOT_MAPPED = List.of("dtstart", "timezone", "until", "wkst", "freq",
            "interval", "byday", "byweekno", "bymonthday", "byyearday", "opens_at", "closes_at", "schedule_link",
            "attending_type", "notes");

    private static boolean hasValue(JsonNode value) {
        return !(value.isMissingNode() || value.isNull() || (value.isString() && value.asString().isBlank())
                || (value.isContainer() && value.isEmpty()));
    }

    private static String first(Map<HsdsTaxonomy, List<String>> codes, HsdsTaxonomy taxonomy) {
        List<String> found = codes.get(taxonomy);
        return found == null || found.isEmpty() ? null : found.getFirst();
    }

    private static <E extends Enum<E>> Optional<E> enumOf(Class<E> type, String code) {
        if (code == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Enum.valueOf(type, code.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.asString() : null;
    }

    /** A number, also as the tabular form writes it (a string). */
    private static Double number(JsonNode value) {
        if (value.isNumber()) {
            return value.asDouble();
        }
        if (value.isString()) {
            try {
                double parsed = Double.parseDouble(value.asString().strip());
                return Double.isFinite(parsed) ? parsed : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static Integer whole(JsonNode value) {
        Double number = number(value);
        return number == null || number != Math.rint(number) || Math.abs(number) > 1_000_000 ? null
                : number.intValue();
    }

    private static Optional<LocalTime> time(String value) {
        try {
            return Optional.of(LocalTime.parse(value.strip(), TIME));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static LocalDate date(JsonNode node, String field) {
        String value = text(node, field);
        try {
            return value == null ? null : LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------- catalogue → HSDS

    static String serviceId(Opportunity opportunity) {
        String id = opportunity.id();
        return id.matches("opp-[0-9a-f-]{36}") ? id.substring(4) : HsdsTaxonomy.stableId("opportunity", id);
    }

    /** An opportunity as an HSDS service of the organization {@code organizationId}, everything it owns nested. */
    static ObjectNode service(Opportunity o, String organizationId) {
        String id = serviceId(o);
        ObjectNode service = NODES.objectNode();
        service.put("id", id);
        service.put("organization_id", organizationId);
        service.put("name", o.title());
        service.put("description", o.description());
        service.put("status", status(o.status()));
        if (o.url() != null) {
            service.put("url", o.url());
        }
        if (o.email() != null) {
            service.put("email", o.email());
        }
        if (o.feesDescription() != null) {
            service.put("fees_description", o.feesDescription());
        }
        if (o.eligibility().description() != null) {
            service.put("eligibility_description", o.eligibility().description());
        }
        phones(service, "service_id", id, o.phone());
        contacts(service, "service_id", id, o.contacts());
        if (o.eligibility().minAge() != null) {
            service.put("minimum_age", o.eligibility().minAge());
        }
        if (o.eligibility().maxAge() != null) {
            service.put("maximum_age", o.eligibility().maxAge());
        }
        ArrayNode attributes = service.putArray("attributes");
        attribute(attributes, id, "service", HsdsTaxonomy.OPPORTUNITY_KIND, o.kind().name(), null);
        if (o.level() != null) {
            attribute(attributes, id, "service", HsdsTaxonomy.LEVEL, o.level(), null);
        }
        attribute(attributes, id, "service", HsdsTaxonomy.MODE, o.mode().name(), null);
        if (o.capacity() != null) {
            attribute(attributes, id, "service", HsdsTaxonomy.CAPACITY, "CAPACITY", o.capacity().toString());
        }
        o.accessibility().stream().map(AccessibilityFeature::name).sorted()
                .forEach(code -> attribute(attributes, id, "service", HsdsTaxonomy.ACCESSIBILITY, code, null));
        o.terms().forEach(term -> attribute(attributes, id, "service", HsdsTaxonomy.SUBJECT, term, null));
        o.freeFor().stream().map(Enum::name).sorted()
                .forEach(code -> attribute(attributes, id, "service", HsdsTaxonomy.FREE_FOR, code, null));
        o.eligibility().benefits().stream().map(Enum::name).sorted()
                .forEach(code -> attribute(attributes, id, "service", HsdsTaxonomy.BENEFIT, code, null));
        if (o.eligibility().priorLevel() != null) {
            attribute(attributes, id, "service", HsdsTaxonomy.PRIOR_LEVEL, o.eligibility().priorLevel(), null);
        }
        if (o.waitlistOpen()) {
            attribute(attributes, id, "service", HsdsTaxonomy.WAITLIST, "OPEN", null);
        }
        if (o.schedule() != null) {
            o.schedule().slots().stream().sorted().forEach(slot ->
                    attribute(attributes, id, "service", HsdsTaxonomy.TIME_SLOT, slot.name(), null));
        }
        ArrayNode areas = service.putArray("service_areas");
        o.eligibility().residentIn().forEach(locality -> {
            ObjectNode area = areas.addObject();
            area.put("id", HsdsTaxonomy.stableId(id, "service_area", locality));
            area.put("service_id", id);
            area.put("name", locality);
            area.put("description", "Only for residents of " + locality);
        });
        ArrayNode languages = service.putArray("languages");
        o.languages().stream().sorted().forEach(code -> {
            ObjectNode language = languages.addObject();
            language.put("id", HsdsTaxonomy.stableId(id, "language", code));
            language.put("service_id", id);
            language.put("name", Locale.of(code).getDisplayLanguage(Locale.ENGLISH));
            language.put("code", code);
        });
        if (o.costPence() != null) {
            ObjectNode cost = service.putArray("cost_options").addObject();
            cost.put("id", HsdsTaxonomy.stableId(id, "cost"));
            cost.put("service_id", id);
            cost.put("currency", o.costCurrency() == null ? "GBP" : o.costCurrency());
            cost.put("amount", o.costPence() / 100.0);
            cost.put("option", "Standard fee");
        }
        if (o.schedule() != null && o.schedule().hasDatesOrWords()) {
            schedule(service.putArray("schedules").addObject(), id, o.schedule());
        }
        ArrayNode atLocations = service.putArray("service_at_locations");
        int index = 0;
        for (Venue venue : o.venues()) {
            String locationId = HsdsTaxonomy.stableId(id, "location", Integer.toString(index++));
            ObjectNode link = atLocations.addObject();
            link.put("id", HsdsTaxonomy.stableId(id, "service_at_location", locationId));
            link.put("service_id", id);
            link.put("location_id", locationId);
            ObjectNode location = link.putObject("location");
            location.put("id", locationId);
            location.put("location_type", "physical");
            location.put("organization_id", organizationId);
            location.put("name", venue.name());
            if (venue.hasCoordinates()) {
                location.put("latitude", venue.latitude());
                location.put("longitude", venue.longitude());
            }
            ArrayNode accessibility = location.putArray("accessibility");
            o.accessibility().stream().sorted().forEach(feature -> {
                ObjectNode item = accessibility.addObject();
                item.put("id", HsdsTaxonomy.stableId(locationId, "accessibility", feature.name()));
                item.put("location_id", locationId);
                item.put("description", feature.name().toLowerCase(Locale.ROOT).replace('_', ' '));
            });
            // A venue keeps a name and a locality: the address carries the locality as its city, and the fields HSDS
            // requires that nobody gave (street, region, postcode, country) empty, never guessed.
            ObjectNode address = location.putArray("addresses").addObject();
            address.put("id", HsdsTaxonomy.stableId(locationId, "address"));
            address.put("location_id", locationId);
            address.put("address_1", "");
            address.put("city", venue.locality());
            address.put("state_province", "");
            address.put("postal_code", "");
            address.put("country", "");
            address.put("address_type", "physical");
        }
        if (o.mode() != DeliveryMode.IN_PERSON) {
            // Online delivery as a virtual location (HSDS 3.0 location_type "virtual"), with the service's url.
            String locationId = HsdsTaxonomy.stableId(id, "location", "virtual");
            ObjectNode link = atLocations.addObject();
            link.put("id", HsdsTaxonomy.stableId(id, "service_at_location", locationId));
            link.put("service_id", id);
            link.put("location_id", locationId);
            ObjectNode location = link.putObject("location");
            location.put("id", locationId);
            location.put("location_type", "virtual");
            location.put("organization_id", organizationId);
            location.put("name", "Online");
            if (o.url() != null) {
                location.put("url", o.url());
            }
        }
        return service;
    }

    /**
     * The HSDS status of an opportunity that is not a draft (drafts are not exported). HSDS's status says whether a
     * service operates, not whether it has room: a full one still runs (and with a waiting list still takes
     * referrals), so it is {@code active}; one closed for now is {@code temporarily closed}; a withdrawn one will
     * not take referrals again here, {@code inactive}; an ended one {@code defunct}.
     */
    static String status(OpportunityStatus status) {
        return switch (status) {
            case TEMPORARILY_CLOSED -> "temporarily closed";
            case WITHDRAWN -> "inactive";
            case ENDED -> "defunct";
            case DRAFT, PUBLISHED, FULL -> "active";
        };
    }

    /**
     * An opportunity as an organization's service in brief ({@code id}, {@code organization_id}, {@code name},
     * {@code description}, {@code status}): what one organization lists; the whole service is one request away.
     */
    static ObjectNode serviceInBrief(Opportunity o, String organizationId) {
        ObjectNode service = NODES.objectNode();
        service.put("id", serviceId(o));
        service.put("organization_id", organizationId);
        service.put("name", o.title());
        service.put("description", o.description());
        service.put("status", status(o.status()));
        return service;
    }

    /**
     * The schedule as one HSDS schedule: its dates, session count and description, as they were given. The weekly
     * slots are categories (weekday daytime, evenings, weekends), not opening hours: they travel as
     * {@code pathways-time-slot} attributes, never as days and hours nobody gave ({@code byday}, {@code opens_at}).
     */
    private static void schedule(ObjectNode schedule, String serviceId, Schedule when) {
        schedule.put("id", HsdsTaxonomy.stableId(serviceId, "schedule"));
        schedule.put("service_id", serviceId);
        if (when.startsOn() != null) {
            schedule.put("valid_from", when.startsOn().toString());
        }
        if (when.endsOn() != null) {
            schedule.put("valid_to", when.endsOn().toString());
        }
        if (when.sessions() != null) {
            schedule.put("count", when.sessions());
        }
        if (when.times() != null) {
            schedule.put("description", when.times());
        }
    }

    /** An agency as an HSDS organization. */
    static ObjectNode organization(Agency agency) {
        String id = agency.hsdsId();
        ObjectNode organization = NODES.objectNode();
        organization.put("id", id);
        organization.put("name", agency.name());
        organization.put("description", agency.description() == null ? "" : agency.description());
        if (agency.website() != null) {
            organization.put("website", agency.website());
        }
        if (agency.email() != null) {
            organization.put("email", agency.email());
        }
        phones(organization, "organization_id", id, agency.phone());
        // The people to contact at an agency no platform administrator approved yet are not the partnership's to
        // publish (AgencyView): the export is the same for every caller.
        contacts(organization, "organization_id", id, agency.pending() ? List.of() : agency.contacts());
        ArrayNode attributes = organization.putArray("attributes");
        if (!agency.pending()) { // a kind and sector no platform administrator approved are not the partnership's
            attribute(attributes, id, "organization", HsdsTaxonomy.AGENCY_SECTOR, agency.sector().name(), null);
            attribute(attributes, id, "organization", HsdsTaxonomy.AGENCY_KIND, agency.kind().name(), null);
        }
        attribute(attributes, id, "organization", HsdsTaxonomy.REFERRALS,
                agency.acceptsDirectReferrals() ? "DIRECT" : "SIGNPOSTING", null);
        agency.localities().forEach(locality ->
                attribute(attributes, id, "organization", HsdsTaxonomy.LOCALITY, locality, null));
        return organization;
    }

    /** Contacts as HSDS contacts of their owner ({@code organization_id} or {@code service_id}), a phone each. */
    private static void contacts(ObjectNode owner, String ownerField, String ownerId, List<AgencyContact> list) {
        ArrayNode contacts = owner.putArray("contacts");
        int index = 0;
        for (AgencyContact contact : list) {
            String contactId = HsdsTaxonomy.stableId(ownerId, "contact", Integer.toString(index++));
            ObjectNode node = contacts.addObject();
            node.put("id", contactId);
            node.put(ownerField, ownerId);
            node.put("name", contact.name());
            if (contact.role() != null) {
                node.put("title", contact.role());
            }
            if (contact.email() != null) {
                node.put("email", contact.email());
            }
            phones(node, "contact_id", contactId, contact.phone());
        }
    }

    /** A phone number (if any) as the one HSDS phone of its owner. */
    private static void phones(ObjectNode owner, String ownerField, String ownerId, String number) {
        if (number == null) {
            return;
        }
        ObjectNode phone = owner.putArray("phones").addObject();
        phone.put("id", HsdsTaxonomy.stableId(ownerId, "phone"));
        phone.put(ownerField, ownerId);
        phone.put("number", number);
    }

    private static void attribute(ArrayNode attributes, String linkId, String entity, HsdsTaxonomy taxonomy,
                                  String code, String value) {
        String termId = HsdsTaxonomy.stableId(taxonomy.taxonomy, code);
        ObjectNode attribute = attributes.addObject();
        attribute.put("id", HsdsTaxonomy.stableId(linkId, taxonomy.taxonomy, code));
        attribute.put("link_id", linkId);
        attribute.put("link_type", entity);
        attribute.put("link_entity", entity);
        attribute.put("taxonomy_term_id", termId);
        if (value != null) {
            attribute.put("value", value);
        }
        ObjectNode term = attribute.putObject("taxonomy_term");
        term.put("id", termId);
        term.put("code", code);
        term.put("name", code);
        term.put("description", taxonomy.taxonomy + " " + code);
        term.put("taxonomy", taxonomy.taxonomy);
    }
}
