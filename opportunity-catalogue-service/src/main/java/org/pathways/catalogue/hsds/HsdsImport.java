package org.pathways.catalogue.hsds;

import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.catalogue.agency.AgencyDetails;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.Benefit;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.DraftOpportunity;
import org.pathways.catalogue.opportunity.Eligibility;
import org.pathways.catalogue.opportunity.FreeFor;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityRepository;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.Schedule;
import org.pathways.catalogue.opportunity.TimeSlot;
import org.pathways.catalogue.opportunity.Venue;
import org.pathways.events.PathwaysEvent;
import org.pathways.events.agency.AgencyKind;
import org.pathways.events.agency.AgencySector;
import org.pathways.events.opportunity.OpportunityKind;
import org.pathways.messaging.outbox.Outbox;
import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Imports an Open Referral HSDS 3.0 document: {@code organizations}, {@code services}, {@code locations},
 * {@code service_at_locations} and {@code taxonomy_terms} as flat tables, and/or services carrying their
 * service_at_locations (with location), attributes (with taxonomy_term), languages, cost_options and schedules
 * nested, as the HSDS API returns them. Organizations become agencies (matched on their HSDS id), services
 * opportunities (id {@code opp-<service id>}); a virtual location makes a service online (or blended).
 * Idempotent: a record whose mapped details equal what the catalogue holds is left alone (no write, no event). What
 * cannot be mapped is skipped with a reason, never half-written; fields it has no place for are named in the report.
 */
@Service
class HsdsImport {

    static final int MAX_RECORDS = 5_000;
    static final String IMPORTER = "hsds-import";

    private final AgencyDirectory agencies;
    private final OpportunityRepository opportunities;
    private final Outbox outbox;
    private final Validator validator;
    private final Clock clock;

    HsdsImport(AgencyDirectory agencies, OpportunityRepository opportunities, Outbox outbox, Validator validator,
               Clock clock) {
        this.agencies = agencies;
        this.opportunities = opportunities;
        this.outbox = outbox;
        this.validator = validator;
        this.clock = clock;
    }

    private final class Run {
        final List<ImportReport.Skipped> skipped = new ArrayList<>();
        final Map<String, JsonNode> terms = new HashMap<>();
        final Map<String, JsonNode> locations = new HashMap<>();
        final Map<String, List<JsonNode>> locationsOfService = new HashMap<>();
        final Map<String, List<JsonNode>> attributesOf = new HashMap<>();
        int[] organizations = new int[3];
        int[] services = new int[3];

        void skip(String table, JsonNode record, SkipReason reason) {
            skip(table, record, reason, null);
        }

        /** Reports the HSDS fields of {@code record} among {@code unmapped} that carry a value (names from the list). */
        void notMapped(String table, JsonNode record, List<String> unmapped) {
            String present = unmapped.stream().filter(field -> hasValue(record.path(field)))
                    .collect(Collectors.joining(", "));
            if (!present.isEmpty()) {
                skip(table, record, SkipReason.NOT_MAPPED, present);
            }
        }

        void skip(String table, JsonNode record, SkipReason reason, String field) {
            String id = record.path("id").isString() ? record.path("id").asString() : null;
            skipped.add(new ImportReport.Skipped(table, id != null && id.length() <= 64 ? id : null, reason.name(),
                    field, reason.text));
        }
    }

    ImportReport importDocument(JsonNode document) {
        if (!document.isObject()) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "An HSDS document is a JSON object.");
        }
        for (String table : List.of("organizations", "services", "locations", "service_at_locations",
                "taxonomy_terms", "attributes")) {
            JsonNode rows = document.path(table);
            if (!rows.isMissingNode() && !rows.isArray()) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", table + " must be an array.");
            }
            if (rows.size() > MAX_RECORDS) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                        "At most " + MAX_RECORDS + " " + table + " per import.");
            }
        }
        Run run = new Run();
        for (JsonNode term : document.path("taxonomy_terms")) {
            if (isUuid(term.path("id"))) {
                run.terms.put(term.path("id").asString(), term);
            } else {
                run.skip("taxonomy_terms", term, SkipReason.ID_NOT_UUID);
            }
        }
        for (JsonNode attribute : document.path("attributes")) {
            if (isUuid(attribute.path("link_id"))) {
                run.attributesOf.computeIfAbsent(attribute.path("link_id").asString(), k -> new ArrayList<>())
                        .add(attribute);
            } else {
                run.skip("attributes", attribute, SkipReason.LINK_ID_NOT_UUID);
            }
        }
        for (JsonNode location : document.path("locations")) {
            if (isUuid(location.path("id"))) {
                run.locations.put(location.path("id").asString(), location);
            } else {
                run.skip("locations", location, SkipReason.ID_NOT_UUID);
            }
        }
        for (JsonNode link : document.path("service_at_locations")) {
            JsonNode location = run.locations.get(link.path("location_id").asString(""));
            if (!isUuid(link.path("service_id")) || location == null) {
                run.skip("service_at_locations", link, SkipReason.UNKNOWN_SERVICE_OR_LOCATION);
            } else {
                run.locationsOfService.computeIfAbsent(link.path("service_id").asString(), k -> new ArrayList<>())
                        .add(location);
            }
        }
        Map<String, Agency> byOrganization = new HashMap<>();
        for (JsonNode organization : document.path("organizations")) {
            importOrganization(run, organization).ifPresent(a -> byOrganization.put(a.hsdsId(), a));
        }
        for (JsonNode service : document.path("services")) {
            importService(run, service, byOrganization);
        }
        return new ImportReport(counts(run.organizations), counts(run.services), run.skipped);
    }

    private static ImportReport.Counts counts(int[] c) {
        return new ImportReport.Counts(c[0], c[1], c[2]);
    }

    private Optional<Agency> importOrganization(Run run, JsonNode org) {
        if (!isUuid(org.path("id"))) {
            run.skip("organizations", org, SkipReason.ID_NOT_UUID);
            return Optional.empty();
        }
        String hsdsId = org.path("id").asString();
        Map<HsdsTaxonomy, List<String>> codes = codes(run, org, hsdsId);
        AgencySector sector = enumOf(AgencySector.class, first(codes, HsdsTaxonomy.AGENCY_SECTOR))
                .orElse(AgencySector.VOLUNTARY);
        AgencyKind kind = enumOf(AgencyKind.class, first(codes, HsdsTaxonomy.AGENCY_KIND)).orElse(AgencyKind.OTHER);
        List<AgencyContact> contacts = contacts(run, org.path("contacts"));
        AgencyDetails details;
        try {
            details = new AgencyDetails(text(org, "name"), sector, kind,
                    codes.getOrDefault(HsdsTaxonomy.LOCALITY, List.of()), contacts,
                    !"SIGNPOSTING".equals(first(codes, HsdsTaxonomy.REFERRALS)), text(org, "website"), null,
                    text(org, "description"), text(org, "email"), phone(run, org.path("phones")));
        } catch (RuntimeException e) {
            run.skip("organizations", org, SkipReason.UNREADABLE);
            return Optional.empty();
        }
        String invalid = violations(details, ORGANIZATION_FIELDS);
        if (invalid != null) {
            run.skip("organizations", org, SkipReason.INVALID_FIELD, invalid);
            return Optional.empty();
        }
        run.notMapped("organizations", org, ORGANIZATION_NOT_MAPPED);
        Optional<Agency> known = agencies.findByHsdsId(hsdsId);
        if (known.isEmpty()) {
            run.organizations[0]++;
            return Optional.of(agencies.importNew(hsdsId, details));
        }
        Agency agency = known.get();
        if (!agency.differsFrom(details)) {
            run.organizations[2]++;
            return known;
        }
        run.organizations[1]++;
        return Optional.of(agencies.importRevision(agency, details));
    }

    private void importService(Run run, JsonNode service, Map<String, Agency> byOrganization) {
        if (!isUuid(service.path("id"))) {
            run.skip("services", service, SkipReason.ID_NOT_UUID);
            return;
        }
        String serviceId = service.path("id").asString();
        String organizationId = service.path("organization_id").asString("");
        Agency provider = byOrganization.get(organizationId);
        if (provider == null) {
            provider = agencies.findByHsdsId(organizationId).orElse(null);
        }
        if (provider == null) {
            run.skip("services", service, SkipReason.UNKNOWN_ORGANIZATION);
            return;
        }
        OpportunityStatus target = switch (service.path("status").asString("")) {
            case "active", "temporarily closed" -> OpportunityStatus.PUBLISHED;
            case "inactive" -> OpportunityStatus.WITHDRAWN;
            case "defunct" -> OpportunityStatus.ENDED;
            default -> null;
        };
        if (target == null) {
            run.skip("services", service, SkipReason.UNKNOWN_STATUS);
            return;
        }
        DraftOpportunity details;
        try {
            details = details(run, service, serviceId);
        } catch (Unmappable e) {
            run.skip("services", service, e.reason);
            return;
        } catch (RuntimeException e) {
            run.skip("services", service, SkipReason.UNREADABLE);
            return;
        }
        String invalid = violations(details, SERVICE_FIELDS);
        if (invalid != null) {
            run.skip("services", service, SkipReason.INVALID_FIELD, invalid);
            return;
        }
        run.notMapped("services", service, SERVICE_NOT_MAPPED);
        String id = "opp-" + serviceId;
        Optional<Opportunity> known = opportunities.findById(id);
        List<PathwaysEvent> events = new ArrayList<>();
        if (known.isEmpty()) {
            if (target != OpportunityStatus.PUBLISHED) {
                run.skip("services", service, SkipReason.NOT_LISTED);
                return;
            }
            Opportunity created = Opportunity.draft(id, details, provider.id(), IMPORTER, clock.instant());
            events.add(created.publish(clock.instant()));
            outbox.save(created, events);
            run.services[0]++;
            return;
        }
        Opportunity opportunity = known.get();
        if (!opportunity.isProvidedBy(provider.id())) {
            run.skip("services", service, SkipReason.OTHER_PROVIDER);
            return;
        }
        boolean sameDetails = opportunity.details().equals(details);
        boolean sameStatus = target == OpportunityStatus.PUBLISHED ? opportunity.status().isListed()
                : opportunity.status() == target;
        if (sameDetails && sameStatus) {
            run.services[2]++;
            return;
        }
        try {
            if (!sameDetails) {
                opportunity.revise(details, clock.instant()).ifPresent(events::add);
            }
            if (!sameStatus) {
                switch (target) {
                    case PUBLISHED -> events.add(opportunity.publish(clock.instant()));
                    case WITHDRAWN -> events.add(opportunity.withdraw(clock.instant()));
                    case ENDED -> events.add(opportunity.end(clock.instant()));
                    default -> throw new IllegalStateException();
                }
            }
        } catch (ProblemException refused) {
            run.skip("services", service, SkipReason.STATUS_CHANGE_REFUSED);
            return;
        }
        outbox.save(opportunity, events);
        run.services[1]++;
    }

    /** Contacts with a name, each with its first phone (the rest of its phones are reported). */
    private static List<AgencyContact> contacts(Run run, JsonNode nodes) {
        List<AgencyContact> contacts = new ArrayList<>();
        for (JsonNode contact : nodes) {
            if (!contact.path("name").isString() || contact.path("name").asString().isBlank()) {
                run.skip("contacts", contact, SkipReason.CONTACT_WITHOUT_NAME);
                continue;
            }
            contacts.add(new AgencyContact(contact.path("name").asString().strip(), text(contact, "title"),
                    text(contact, "email"), phone(run, contact.path("phones"))));
        }
        return contacts;
    }

    /** The number of the first phone; any further phones are reported as not kept. */
    private static String phone(Run run, JsonNode phones) {
        String number = null;
        int index = 0;
        for (JsonNode phone : phones) {
            if (index++ == 0) {
                number = text(phone, "number");
            } else {
                run.skip("phones", phone, SkipReason.MORE_PHONES);
            }
        }
        return number;
    }

    private DraftOpportunity details(Run run, JsonNode service, String serviceId) {
        Map<HsdsTaxonomy, List<String>> codes = codes(run, service, serviceId);
        OpportunityKind kind = enumOf(OpportunityKind.class, first(codes, HsdsTaxonomy.OPPORTUNITY_KIND))
                .orElse(OpportunityKind.ADVICE);
        Optional<DeliveryMode> declaredMode = enumOf(DeliveryMode.class, first(codes, HsdsTaxonomy.MODE));
        Set<AccessibilityFeature> accessibility = codes.getOrDefault(HsdsTaxonomy.ACCESSIBILITY, List.of()).stream()
                .map(code -> enumOf(AccessibilityFeature.class, code)).flatMap(Optional::stream)
                .collect(Collectors.toSet());
        Integer capacity = null;
        String capacityValue = first(codes, HsdsTaxonomy.CAPACITY);
        if (capacityValue != null) {
            capacity = Integer.valueOf(capacityValue);
        }
        List<Venue> venues = new ArrayList<>();
        List<JsonNode> locations = new ArrayList<>(run.locationsOfService.getOrDefault(serviceId, List.of()));
        for (JsonNode link : service.path("service_at_locations")) {
            if (link.path("location").isObject()) {
                locations.add(link.path("location"));
            } else if (run.locations.containsKey(link.path("location_id").asString(""))) {
                locations.add(run.locations.get(link.path("location_id").asString()));
            }
        }
        String url = text(service, "url");
        boolean virtual = false;
        for (JsonNode location : locations) {
            if ("virtual".equals(location.path("location_type").asString(""))) {
                // Online delivery; its url becomes the opportunity's when the service has none of its own.
                virtual = true;
                String locationUrl = text(location, "url");
                if (url == null) {
                    url = locationUrl;
                } else if (locationUrl != null && !locationUrl.equals(url)) {
                    run.skip("locations", location, SkipReason.SECOND_URL);
                }
                continue;
            }
            String locality = text(location.path("addresses").path(0), "city");
            if (locality == null || locality.isBlank()) {
                run.skip("locations", location, SkipReason.LOCATION_WITHOUT_CITY);
                continue;
            }
            JsonNode lat = location.path("latitude");
            JsonNode lon = location.path("longitude");
            boolean point = lat.isNumber() && lon.isNumber();
            String name = text(location, "name");
            // A location's accessibility, where its description names a feature the catalogue knows ("step free").
            for (JsonNode feature : location.path("accessibility")) {
                String description = text(feature, "description");
                if (description != null) {
                    enumOf(AccessibilityFeature.class, description.strip().replaceAll("[ -]+", "_"))
                            .ifPresent(accessibility::add);
                }
            }
            venues.add(new Venue(name == null ? locality : name, locality, point ? lat.asDouble() : null,
                    point ? lon.asDouble() : null));
        }
        Set<String> languages = new LinkedHashSet<>();
        for (JsonNode language : service.path("languages")) {
            String code = language.path("code").asString("").toLowerCase(java.util.Locale.ROOT);
            if (code.matches("[a-z]{2,3}")) {
                languages.add(code);
            } else {
                run.skip("languages", language, SkipReason.LANGUAGE_CODE);
            }
        }
        Integer costPence = null;
        JsonNode cost = service.path("cost_options").path(0);
        if (cost.path("amount").isNumber()) {
            if ("GBP".equals(cost.path("currency").asString("GBP"))) {
                costPence = (int) Math.round(cost.path("amount").asDouble() * 100);
            } else {
                run.skip("cost_options", cost, SkipReason.CURRENCY);
            }
        }
        Schedule schedule = schedule(service.path("schedules"));
        Integer minAge = service.path("minimum_age").isNumber() ? service.path("minimum_age").asInt() : null;
        Integer maxAge = service.path("maximum_age").isNumber() ? service.path("maximum_age").asInt() : null;
        if (minAge != null && maxAge != null && maxAge < minAge) {
            throw new Unmappable(SkipReason.AGE_RANGE);
        }
        List<String> residentIn = new ArrayList<>();
        for (JsonNode area : service.path("service_areas")) {
            String name = text(area, "name");
            if (name != null && !name.isBlank()) {
                residentIn.add(name);
            }
        }
        DeliveryMode mode = declaredMode.orElse(!virtual ? DeliveryMode.IN_PERSON
                : venues.isEmpty() ? DeliveryMode.ONLINE : DeliveryMode.BLENDED);
        Set<Benefit> benefits = codes.getOrDefault(HsdsTaxonomy.BENEFIT, List.of()).stream()
                .map(code -> enumOf(Benefit.class, code)).flatMap(Optional::stream).collect(Collectors.toSet());
        Set<FreeFor> freeFor = codes.getOrDefault(HsdsTaxonomy.FREE_FOR, List.of()).stream()
                .map(code -> enumOf(FreeFor.class, code)).flatMap(Optional::stream).collect(Collectors.toSet());
        return new DraftOpportunity(text(service, "name"), text(service, "description"), kind,
                first(codes, HsdsTaxonomy.LEVEL), capacity, codes.getOrDefault(HsdsTaxonomy.SUBJECT, List.of()),
                mode, venues, schedule, costPence, freeFor,
                new Eligibility(minAge, maxAge, residentIn, benefits, first(codes, HsdsTaxonomy.PRIOR_LEVEL),
                        text(service, "eligibility_description")),
                accessibility, languages.isEmpty() ? null : languages, "OPEN".equals(first(codes, HsdsTaxonomy.WAITLIST)),
                url, text(service, "email"), phone(run, service.path("phones")),
                contacts(run, service.path("contacts")), text(service, "fees_description"));
    }

    /**
     * An opportunity's schedule from a service's schedules: the dates, session count and description of the first,
     * and the weekly slots of all of them ({@code byday} with a weekend day → weekend; weekdays opening at 17:00 or
     * later → weekday evenings, earlier → weekday daytime).
     */
    private static Schedule schedule(JsonNode schedules) {
        JsonNode when = schedules.path(0);
        if (!when.isObject()) {
            return null;
        }
        LocalDate from = date(when, "valid_from");
        LocalDate to = date(when, "valid_to");
        if (from != null && to != null && to.isBefore(from)) {
            throw new Unmappable(SkipReason.SCHEDULE_DATES);
        }
        Integer count = when.path("count").isIntegralNumber() ? when.path("count").asInt() : null;
        String times = text(when, "description");
        Set<TimeSlot> slots = new LinkedHashSet<>();
        for (JsonNode weekly : schedules) {
            String byday = text(weekly, "byday");
            if (byday == null || byday.isBlank()) {
                continue;
            }
            List<String> days = List.of(byday.toUpperCase(java.util.Locale.ROOT).replace(" ", "").split(","));
            if (days.contains("SA") || days.contains("SU")) {
                slots.add(TimeSlot.WEEKEND);
            }
            if (days.stream().anyMatch(WEEKDAYS::contains)) {
                String opens = text(weekly, "opens_at");
                slots.add(opens != null && opens.compareTo(EVENING) >= 0 ? TimeSlot.WEEKDAY_EVENING
                        : TimeSlot.WEEKDAY_DAYTIME);
            }
        }
        if (from == null && to == null && count == null && times == null && slots.isEmpty()) {
            return null;
        }
        return new Schedule(from, to, count, slots, times);
    }

    static final List<String> WEEKDAYS = List.of("MO", "TU", "WE", "TH", "FR");
    static final String EVENING = "17:00";

    /**
     * The codes of a record's attributes by Pathways taxonomy (terms of other taxonomies count as subject terms,
     * by name); for the capacity, the attribute's value.
     */
    private Map<HsdsTaxonomy, List<String>> codes(Run run, JsonNode record, String linkId) {
        List<JsonNode> attributes = new ArrayList<>();
        record.path("attributes").forEach(attributes::add);
        attributes.addAll(run.attributesOf.getOrDefault(linkId, List.of()));
        Map<HsdsTaxonomy, List<String>> codes = new HashMap<>();
        for (JsonNode attribute : attributes) {
            JsonNode term = attribute.path("taxonomy_term");
            if (!term.isObject()) {
                term = run.terms.get(attribute.path("taxonomy_term_id").asString(""));
            }
            if (term == null || !term.isObject()) {
                run.skip("attributes", attribute, SkipReason.NO_TAXONOMY_TERM);
                continue;
            }
            HsdsTaxonomy taxonomy = HsdsTaxonomy.of(term.path("taxonomy").asString(""));
            String code = text(term, "code");
            if (taxonomy == null) {
                taxonomy = HsdsTaxonomy.SUBJECT;
                code = text(term, "name");
            }
            if (code == null || code.isBlank()) {
                run.skip("attributes", attribute, SkipReason.TERM_WITHOUT_CODE);
                continue;
            }
            if (taxonomy == HsdsTaxonomy.CAPACITY) {
                // The capacity is the attribute's value, not a term.
                code = attribute.path("value").asString("");
                if (!code.matches("[0-9]{1,6}")) {
                    run.skip("attributes", attribute, SkipReason.CAPACITY_NOT_A_NUMBER);
                    continue;
                }
            }
            codes.computeIfAbsent(taxonomy, k -> new ArrayList<>()).add(code.strip());
        }
        return codes;
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
            return Optional.of(Enum.valueOf(type, code.strip().toUpperCase(java.util.Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }

    /** The HSDS fields each catalogue property comes from, to name them (and nothing internal) in a report. */
    private static final Map<String, String> SERVICE_FIELDS = Map.ofEntries(Map.entry("title", "name"),
            Map.entry("description", "description"), Map.entry("level", "attributes"),
            Map.entry("capacity", "attributes"), Map.entry("terms", "attributes"),
            Map.entry("accessibility", "attributes"), Map.entry("freeFor", "attributes"),
            Map.entry("venues", "service_at_locations"), Map.entry("schedule", "schedules"),
            Map.entry("costPence", "cost_options"), Map.entry("languages", "languages"),
            Map.entry("eligibility.minAge", "minimum_age"), Map.entry("eligibility.maxAge", "maximum_age"),
            Map.entry("eligibility.residentIn", "service_areas"), Map.entry("eligibility.benefits", "attributes"),
            Map.entry("eligibility.priorLevel", "attributes"),
            Map.entry("eligibility.description", "eligibility_description"), Map.entry("url", "url"),
            Map.entry("email", "email"), Map.entry("phone", "phones"), Map.entry("contacts", "contacts"),
            Map.entry("feesDescription", "fees_description"));
    private static final Map<String, String> ORGANIZATION_FIELDS = Map.of("name", "name",
            "localities", "attributes", "contacts", "contacts", "website", "website", "description", "description",
            "email", "email", "phone", "phones");

    private String violations(Object details, Map<String, String> fields) {
        Set<ConstraintViolation<Object>> violations = validator.validate(details);
        if (violations.isEmpty()) {
            return null;
        }
        return violations.stream().map(v -> hsdsField(v.getPropertyPath().toString(), fields)).distinct().sorted()
                .collect(Collectors.joining(", "));
    }

    private static String hsdsField(String propertyPath, Map<String, String> fields) {
        int element = propertyPath.indexOf('[');
        String path = element < 0 ? propertyPath : propertyPath.substring(0, element);
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
            "programs", "organization_identifiers", "metadata", "services");
    static final List<String> SERVICE_NOT_MAPPED = List.of("program_id", "alternate_name",
            "interpretation_services", "application_process", "wait_time", "fees", "accreditations", "assured_date",
            "assurer_email", "licenses", "alert", "funding", "program", "required_documents", "metadata");

    private static boolean hasValue(JsonNode value) {
        return !(value.isMissingNode() || value.isNull() || (value.isString() && value.asString().isBlank())
                || (value.isContainer() && value.isEmpty()));
    }

    /** A record that cannot become a catalogue entry for a reason the report can name. */
    private static final class Unmappable extends RuntimeException {
        final SkipReason reason;

        Unmappable(SkipReason reason) {
            super(reason.name(), null, false, false);
            this.reason = reason;
        }
    }

    private static boolean isUuid(JsonNode id) {
        return id.isString() && id.asString().matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                + "[0-9a-fA-F]{12}");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isString() ? value.asString() : null;
    }

    private static LocalDate date(JsonNode node, String field) {
        String value = text(node, field);
        try {
            return value == null ? null : LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
