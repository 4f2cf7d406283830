package org.pathways.catalogue.hsds;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.pathways.platform.problem.ProblemException;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An HSDS feed in the one shape the mapper reads: organizations, then services with everything they own nested (their
 * organization linked by {@code organization_id}), whatever form it came in. Pure: reads the document, writes
 * nothing.
 *
 * <p>Forms read: an HSDS API answer (one record: an organization with its {@code services}, a service with its
 * {@code organization}, a service_at_location with its {@code service} and {@code location}; or a page of them in
 * {@code contents}); a document of tables ({@code organizations}, {@code services}, {@code locations},
 * {@code service_at_locations}, {@code taxonomy_terms}, {@code attributes}, {@code contacts}, {@code phones},
 * {@code addresses}, {@code schedules}, {@code languages}, {@code cost_options}, {@code service_areas},
 * {@code accessibility}, named with or without {@code .csv}, singular or plural, as the tabular example and the
 * datapackage name them); and the CSV files of the tabular form ({@link HsdsTabular}). Rows of the tables are nested
 * into the records they belong to by their foreign keys, so the flat and nested forms import the same way.
 */
record HsdsFeed(List<ObjectNode> organizations, List<ObjectNode> services, List<ImportFinding> findings) {

    /**
     * Marks an organization read from a service's {@code organization}: often a summary, so it creates an agency the
     * catalogue does not know yet but never changes one it knows.
     */
    static final String SUMMARY = "_pathways_summary";

    /** At most this many organizations plus services in one feed. */
    static final int MAX_RECORDS = 100_000;

    int size() {
        return organizations.size() + services.size();
    }

    /** The tables of the HSDS tabular form, by their plural (datapackage path) name. */
    static final List<String> TABLES = List.of("organizations", "services", "locations", "service_at_locations",
            "taxonomy_terms", "taxonomies", "attributes", "contacts", "phones", "addresses", "schedules", "languages",
            "cost_options", "service_areas", "accessibility", "programs", "funding", "required_documents",
            "organization_identifiers", "metadata", "meta_table_descriptions");

    /** A table's name as a file or datapackage resource may spell it ("service_at_location.csv", "address"). */
    static String tableName(String name) {
        String table = name.toLowerCase(Locale.ROOT).strip();
        table = table.substring(table.lastIndexOf('/') + 1);
        if (table.endsWith(".csv")) {
            table = table.substring(0, table.length() - 4);
        }
        if (TABLES.contains(table)) {
            return table;
        }
        return switch (table) {
            case "taxonomy" -> "taxonomies";
            case "address" -> "addresses";
            case "accessibility_for_disabilities" -> "accessibility";
            default -> TABLES.contains(table + "s") ? table + "s" : null;
        };
    }

    /**
     * The feed in an HSDS JSON document. {@code type} (organization, service, service_at_location, location,
     * taxonomy, taxonomy_term) says what a single record or a page's records are, when their fields leave it open.
     */
    static HsdsFeed fromJson(JsonNode document, String type) {
        InMemory records = new InMemory();
        Builder feed = new Builder(records);
        feed.document(document, type);
        return records.build(feed.findings);
    }

    /** The feed in the tables of the tabular form (CSV rows as objects of strings). */
    static HsdsFeed fromTables(Map<String, List<ObjectNode>> tables) {
        tables.forEach((table, rows) -> limit(rows.size(), table));
        InMemory records = new InMemory();
        return records.build(new Builder(records).tables(tables).findings);
    }

    private static void limit(int size, String table) {
        if (size > MAX_RECORDS) {
            throw new ProblemException(HttpStatus.BAD_REQUEST, "too-large",
                    "At most " + MAX_RECORDS + " " + table + " per import.");
        }
    }

    static boolean isUuid(JsonNode id) {
        return id.isString() && isUuid(id.asString());
    }

    static boolean isUuid(String id) {
        return id.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    }

    /**
     * Where a feed's organizations and services go as they are read: the feed in memory ({@link #fromJson}), or a
     * job's staged records as a document streams in ({@link StagedFeed}). Records of one kind keep the order they
     * were first read in; a record put under an id already there takes its place.
     */
    interface Records {
        boolean has(StagedRecord.Table kind, String id);

        /** The record of that id, to change in place: the change is kept. */
        ObjectNode get(StagedRecord.Table kind, String id);

        /** Adds the record under its (UUID) id, or puts it in the place of the one of that id. */
        void put(StagedRecord.Table kind, String id, ObjectNode record);

        /** A record whose id is not a UUID: it goes through after the identified ones (a service if it has a status),
         * so the mapper refuses it by name. */
        void unidentified(ObjectNode record);
    }

    /** The feed held in memory: for the tabular forms (their tables are joined) and the synchronous import. */
    private static final class InMemory implements Records {
        final Map<String, ObjectNode> organizations = new LinkedHashMap<>();
        final Map<String, ObjectNode> services = new LinkedHashMap<>();
        final List<ObjectNode> unidentified = new ArrayList<>();

        private Map<String, ObjectNode> of(StagedRecord.Table kind) {
            return kind == StagedRecord.Table.ORGANIZATION ? organizations : services;
        }

        @Override
        public boolean has(StagedRecord.Table kind, String id) {
            return of(kind).containsKey(id);
        }

        @Override
        public ObjectNode get(StagedRecord.Table kind, String id) {
            return of(kind).get(id);
        }

        @Override
        public void put(StagedRecord.Table kind, String id, ObjectNode record) {
            of(kind).put(id, record);
        }

        @Override
        public void unidentified(ObjectNode record) {
            unidentified.add(record);
        }

        HsdsFeed build(List<ImportFinding> findings) {
            List<ObjectNode> orgs = new ArrayList<>(organizations.values());
            List<ObjectNode> svcs = new ArrayList<>(services.values());
            for (ObjectNode record : unidentified) {
                (record.has("status") ? svcs : orgs).add(record);
            }
            if (orgs.size() + svcs.size() > MAX_RECORDS) {
                limit(orgs.size() + svcs.size(), "records");
            }
            return new HsdsFeed(orgs, svcs, findings);
        }
    }

    /** Reads the records of a document into {@link Records}, nesting what belongs together. */
    static final class Builder {
        private static final StagedRecord.Table ORGANIZATION = StagedRecord.Table.ORGANIZATION;
        private static final StagedRecord.Table SERVICE = StagedRecord.Table.SERVICE;

        final Records records;
        final List<ImportFinding> findings = new ArrayList<>();

        Builder(Records records) {
            this.records = records;
        }

        /**
         * A whole document (or, when it streams, what is left of it besides its {@code contents}): a page of
         * records, one record, or tables.
         */
        void document(JsonNode document, String type) {
            if (!document.isObject()) {
                throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", "An HSDS document is a JSON object.");
            }
            if (document.path("contents").isArray()) {
                limit(document.path("contents").size(), "contents");
                document.path("contents").forEach(record -> record(record, type));
                return;
            }
            if (document.has("id")) { // a record (whose nested arrays may be named like tables)
                record(document, type);
                return;
            }
            Map<String, List<ObjectNode>> tables = new LinkedHashMap<>();
            for (var field : document.properties()) {
                String table = tableName(field.getKey());
                if (table == null) {
                    continue;
                }
                if (!field.getValue().isArray()) {
                    throw new ProblemException(HttpStatus.BAD_REQUEST, "not-hsds", table + " must be an array.");
                }
                limit(field.getValue().size(), table);
                List<ObjectNode> rows = tables.computeIfAbsent(table, k -> new ArrayList<>());
                for (JsonNode row : field.getValue()) {
                    if (row.isObject()) {
                        rows.add((ObjectNode) row);
                    }
                }
            }
            if (!tables.isEmpty()) {
                tables(tables);
                return;
            }
            record(document, type);
        }

        /** One record of an API answer, and what it nests. */
        void record(JsonNode node, String type) {
            if (!node.isObject()) {
                findings.add(ImportFinding.of("contents", null, ImportIssue.NOT_A_RECORD));
                return;
            }
            ObjectNode record = (ObjectNode) node;
            switch (type != null ? type : kindOf(record)) {
                case "organization" -> organization(record);
                case "service" -> service(record, null);
                case "service_at_location" -> serviceAtLocation(record);
                case "location", "taxonomy", "taxonomy_term", "api" ->
                        findings.add(ImportFinding.of(type != null ? type : kindOf(record), record,
                                ImportIssue.NOTHING_TO_IMPORT));
                default -> findings.add(ImportFinding.of("contents", record, ImportIssue.NOT_A_RECORD));
            }
        }

        /** What a record is, by the fields only that kind of HSDS record has. */
        static String kindOf(ObjectNode record) {
            if (record.has("openapi_url") || (record.has("version") && record.has("profile"))) {
                return "api";
            }
            if (record.has("service") || record.has("location") || (record.has("service_id")
                    && record.has("location_id"))) {
                return "service_at_location";
            }
            if (record.has("status")) {
                return "service";
            }
            if (record.has("location_type")) {
                return "location";
            }
            if (record.has("taxonomy") || record.has("taxonomy_id") || record.has("taxonomy_detail")
                    || record.has("parent_id") || record.has("code") || record.has("term")) {
                return "taxonomy_term";
            }
            if (record.has("version") && !record.has("website") && !record.has("email") && !record.has("services")) {
                return "taxonomy";
            }
            return record.has("name") || record.has("services") ? "organization" : "unknown";
        }

        void organization(ObjectNode organization) {
            JsonNode nested = organization.remove("services");
            String id = organization.path("id").asString("");
            if (!isUuid(organization.path("id"))) {
                records.unidentified(organization);
            } else if (!records.has(ORGANIZATION, id)) {
                records.put(ORGANIZATION, id, organization);
            } else if (!organization.has(SUMMARY) && records.get(ORGANIZATION, id).has(SUMMARY)) {
                records.put(ORGANIZATION, id, organization); // the full record wins over a service's summary of it
            } else {
                findings.add(ImportFinding.of("organizations", organization, ImportIssue.DUPLICATE));
            }
            if (nested != null && nested.isArray()) {
                for (JsonNode service : nested) {
                    if (service.isObject()) {
                        service((ObjectNode) service, id);
                    }
                }
            }
        }

        void service(ObjectNode service, String organizationId) {
            JsonNode organization = service.remove("organization");
            if (organization != null && organization.isObject()) {
                if (!service.hasNonNull("organization_id")) {
                    service.set("organization_id", organization.path("id"));
                }
                String id = organization.path("id").asString("");
                if (isUuid(organization.path("id")) && !records.has(ORGANIZATION, id)) {
                    ((ObjectNode) organization).put(SUMMARY, true);
                    organization((ObjectNode) organization);
                }
            }
            if (organizationId != null && !service.hasNonNull("organization_id")) {
                service.put("organization_id", organizationId);
            }
            if (!isUuid(service.path("id"))) {
                records.unidentified(service);
            } else if (records.has(SERVICE, service.path("id").asString())) {
                findings.add(ImportFinding.of("services", service, ImportIssue.DUPLICATE));
            } else {
                records.put(SERVICE, service.path("id").asString(), service);
            }
        }

        void serviceAtLocation(ObjectNode link) {
            JsonNode service = link.remove("service");
            if (service == null || !service.isObject()) {
                findings.add(ImportFinding.of("service_at_locations", link, ImportIssue.UNKNOWN_SERVICE_OR_LOCATION));
                return;
            }
            ObjectNode owner = (ObjectNode) service;
            String id = owner.path("id").asString("");
            if (records.has(SERVICE, id)) {
                owner = records.get(SERVICE, id);
            } else {
                service(owner, null);
            }
            appendUnique(owner, "service_at_locations", link);
        }

        /** The tabular form: each row nested into its owner by its foreign key. */
        Builder tables(Map<String, List<ObjectNode>> tables) {
            Map<String, JsonNode> terms = byId(tables, "taxonomy_terms");
            Map<String, List<ObjectNode>> attributes = new HashMap<>();
            for (ObjectNode attribute : rows(tables, "attributes")) {
                if (!isUuid(attribute.path("link_id"))) {
                    findings.add(ImportFinding.of("attributes", attribute, ImportIssue.LINK_ID_NOT_UUID));
                    continue;
                }
                if (!attribute.path("taxonomy_term").isObject()
                        && terms.containsKey(attribute.path("taxonomy_term_id").asString(""))) {
                    attribute.set("taxonomy_term", terms.get(attribute.path("taxonomy_term_id").asString()));
                }
                attributes.computeIfAbsent(attribute.path("link_id").asString(), k -> new ArrayList<>())
                        .add(attribute);
            }
            Map<String, List<ObjectNode>> phones = byKey(tables, "phones", "contact_id");
            for (ObjectNode contact : rows(tables, "contacts")) {
                nest(contact, "phones", phones);
            }
            Map<String, List<ObjectNode>> addresses = byKey(tables, "addresses", "location_id");
            Map<String, List<ObjectNode>> accessibility = byKey(tables, "accessibility", "location_id");
            Map<String, ObjectNode> locations = new HashMap<>();
            for (ObjectNode location : rows(tables, "locations")) {
                if (!isUuid(location.path("id"))) {
                    findings.add(ImportFinding.of("locations", location, ImportIssue.ID_NOT_UUID));
                    continue;
                }
                nest(location, "addresses", addresses);
                nest(location, "accessibility", accessibility);
                locations.put(location.path("id").asString(), location);
            }
            Map<String, List<ObjectNode>> atLocations = new HashMap<>();
            for (ObjectNode link : rows(tables, "service_at_locations")) {
                ObjectNode location = locations.get(link.path("location_id").asString(""));
                if (!isUuid(link.path("service_id")) || location == null) {
                    findings.add(ImportFinding.of("service_at_locations", link,
                            ImportIssue.UNKNOWN_SERVICE_OR_LOCATION));
                    continue;
                }
                if (!link.path("location").isObject()) {
                    link.set("location", location);
                }
                atLocations.computeIfAbsent(link.path("service_id").asString(), k -> new ArrayList<>()).add(link);
            }
            Map<String, List<ObjectNode>> contacts = byKey(tables, "contacts", "organization_id");
            Map<String, List<ObjectNode>> organizationPhones = byKey(tables, "phones", "organization_id");
            for (ObjectNode organization : rows(tables, "organizations")) {
                nest(organization, "contacts", contacts);
                nest(organization, "phones", organizationPhones);
                nest(organization, "attributes", attributes);
                organization(organization);
            }
            Map<String, Map<String, List<ObjectNode>>> owned = new LinkedHashMap<>();
            for (String table : List.of("contacts", "phones", "schedules", "languages", "cost_options",
                    "service_areas")) {
                owned.put(table, byKey(tables, table, "service_id"));
            }
            for (ObjectNode service : rows(tables, "services")) {
                owned.forEach((table, rows) -> nest(service, table, rows));
                nest(service, "attributes", attributes);
                nest(service, "service_at_locations", atLocations);
                service(service, null);
            }
            return this;
        }

        private static List<ObjectNode> rows(Map<String, List<ObjectNode>> tables, String table) {
            return tables.getOrDefault(table, List.of());
        }

        private static Map<String, JsonNode> byId(Map<String, List<ObjectNode>> tables, String table) {
            Map<String, JsonNode> found = new HashMap<>();
            rows(tables, table).forEach(row -> found.putIfAbsent(row.path("id").asString(""), row));
            return found;
        }

        private static Map<String, List<ObjectNode>> byKey(Map<String, List<ObjectNode>> tables, String table,
                                                           String key) {
            Map<String, List<ObjectNode>> found = new HashMap<>();
            for (ObjectNode row : rows(tables, table)) {
                String owner = row.path(key).asString("");
                if (!owner.isEmpty()) {
                    found.computeIfAbsent(owner, k -> new ArrayList<>()).add(row);
                }
            }
            return found;
        }

        private static void nest(ObjectNode owner, String field, Map<String, List<ObjectNode>> rows) {
            for (ObjectNode row : rows.getOrDefault(owner.path("id").asString(""), List.of())) {
                appendUnique(owner, field, row);
            }
        }

        /** Adds {@code row} to the owner's array {@code field} unless a row with its id is there already. */
        private static void appendUnique(ObjectNode owner, String field, ObjectNode row) {
            JsonNode existing = owner.get(field);
            ArrayNode array = existing instanceof ArrayNode a ? a : owner.putArray(field);
            Set<String> ids = new HashSet<>();
            array.forEach(item -> ids.add(item.path("id").asString("")));
            String id = row.path("id").asString("");
            if (id.isEmpty() || !ids.contains(id)) {
                array.add(row);
            }
        }
    }
}
