package org.pathways.catalogue.hsds;

import java.util.List;
import java.util.Locale;

import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.Venue;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Service;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The catalogue as Open Referral HSDS 3.0: agencies as organizations, opportunities that are not drafts as services
 * (with their venues as service_at_locations and locations, languages, cost options, schedules and taxonomy
 * attributes), in the API's paged shape ({@code contents}, {@code total_items}...).
 */
@Service
class HsdsExport {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MongoTemplate mongo;
    private final AgencyDirectory agencies;

    HsdsExport(MongoTemplate mongo, AgencyDirectory agencies) {
        this.mongo = mongo;
        this.agencies = agencies;
    }

    ObjectNode services(int page, int perPage) {
        Query query = Query.query(Criteria.where("status").ne(OpportunityStatus.DRAFT));
        long total = mongo.count(query, Opportunity.class);
        List<Opportunity> found = mongo.find(query.with(Sort.by("_id")).skip((long) (page - 1) * perPage)
                .limit(perPage), Opportunity.class);
        ArrayNode contents = NODES.arrayNode();
        java.util.Map<String, String> organizationIds = new java.util.HashMap<>();
        for (Opportunity opportunity : found) {
            String organizationId = organizationIds.computeIfAbsent(opportunity.providerAgencyId(), agencyId ->
                    agencies.find(agencyId).map(Agency::hsdsId).orElse(java.util.UUID.nameUUIDFromBytes(
                            agencyId.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString()));
            contents.add(service(opportunity, organizationId));
        }
        return page(contents, total, page, perPage);
    }

    ObjectNode organizations(int page, int perPage) {
        List<Agency> all = agencies.all();
        ArrayNode contents = NODES.arrayNode();
        all.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(a -> contents.add(organization(a)));
        return page(contents, all.size(), page, perPage);
    }

    private static ObjectNode page(ArrayNode contents, long total, int page, int perPage) {
        ObjectNode node = NODES.objectNode();
        long pages = Math.max(1, (total + perPage - 1) / perPage);
        node.put("total_items", total);
        node.put("total_pages", pages);
        node.put("page_number", page);
        node.put("size", contents.size());
        node.put("first_page", page == 1);
        node.put("last_page", page >= pages);
        node.put("empty", contents.isEmpty());
        node.set("contents", contents);
        return node;
    }

    static String serviceId(Opportunity opportunity) {
        String id = opportunity.id();
        return id.matches("opp-[0-9a-f-]{36}") ? id.substring(4) : HsdsTaxonomy.stableId("opportunity", id);
    }

    ObjectNode service(Opportunity o, String organizationId) {
        String id = serviceId(o);
        ObjectNode service = NODES.objectNode();
        service.put("id", id);
        service.put("organization_id", organizationId);
        service.put("name", o.title());
        service.put("description", o.description());
        service.put("status", switch (o.status()) {
            case WITHDRAWN -> "inactive";
            case ENDED -> "defunct";
            default -> "active";
        });
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
            cost.put("currency", "GBP");
            cost.put("amount", o.costPence() / 100.0);
            cost.put("option", "Standard fee");
        }
        if (o.schedule() != null) {
            ObjectNode schedule = service.putArray("schedules").addObject();
            schedule.put("id", HsdsTaxonomy.stableId(id, "schedule"));
            schedule.put("service_id", id);
            if (o.schedule().startsOn() != null) {
                schedule.put("valid_from", o.schedule().startsOn().toString());
            }
            if (o.schedule().endsOn() != null) {
                schedule.put("valid_to", o.schedule().endsOn().toString());
            }
            if (o.schedule().sessions() != null) {
                schedule.put("count", o.schedule().sessions());
            }
            if (o.schedule().times() != null) {
                schedule.put("description", o.schedule().times());
            }
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
            ObjectNode address = location.putArray("addresses").addObject();
            address.put("id", HsdsTaxonomy.stableId(locationId, "address"));
            address.put("location_id", locationId);
            address.put("address_1", venue.name());
            address.put("city", venue.locality());
            address.put("state_province", "");
            address.put("postal_code", "");
            address.put("country", "GB");
            address.put("address_type", "physical");
        }
        return service;
    }

    ObjectNode organization(Agency agency) {
        String id = agency.hsdsId();
        ObjectNode organization = NODES.objectNode();
        organization.put("id", id);
        organization.put("name", agency.name());
        organization.put("description", "");
        if (agency.website() != null) {
            organization.put("website", agency.website());
        }
        ArrayNode contacts = organization.putArray("contacts");
        int index = 0;
        for (AgencyContact contact : agency.contacts()) {
            String contactId = HsdsTaxonomy.stableId(id, "contact", Integer.toString(index++));
            ObjectNode node = contacts.addObject();
            node.put("id", contactId);
            node.put("organization_id", id);
            node.put("name", contact.name());
            if (contact.role() != null) {
                node.put("title", contact.role());
            }
            if (contact.email() != null) {
                node.put("email", contact.email());
            }
            if (contact.phone() != null) {
                ObjectNode phone = node.putArray("phones").addObject();
                phone.put("id", HsdsTaxonomy.stableId(contactId, "phone"));
                phone.put("contact_id", contactId);
                phone.put("number", contact.phone());
            }
        }
        ArrayNode attributes = organization.putArray("attributes");
        attribute(attributes, id, "organization", HsdsTaxonomy.AGENCY_SECTOR, agency.sector().name(), null);
        attribute(attributes, id, "organization", HsdsTaxonomy.AGENCY_KIND, agency.kind().name(), null);
        attribute(attributes, id, "organization", HsdsTaxonomy.REFERRALS,
                agency.acceptsDirectReferrals() ? "DIRECT" : "SIGNPOSTING", null);
        agency.localities().forEach(locality ->
                attribute(attributes, id, "organization", HsdsTaxonomy.LOCALITY, locality, null));
        return organization;
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
