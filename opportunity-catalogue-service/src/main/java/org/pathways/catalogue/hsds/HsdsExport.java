package org.pathways.catalogue.hsds;

import java.util.List;
import java.util.Locale;

import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyContact;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.opportunity.AccessibilityFeature;
import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.Schedule;
import org.pathways.catalogue.opportunity.TimeSlot;
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
 * The catalogue as Open Referral HSDS 3.0: agencies as organizations (with description, e-mail, website, phone and
 * contacts), opportunities that are not drafts as services (with url, e-mail, phone, contacts, fees and eligibility
 * descriptions, their venues as service_at_locations and physical locations, online delivery as a virtual
 * location, with the locations' accessibility, languages, cost options,
 * schedules with weekly rules, service areas for residence rules, and taxonomy attributes for Pathways' own codes),
 * in the API's paged shape ({@code contents}, {@code total_items}...). Both are paged by the store.
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
                    agencies.find(agencyId).map(Agency::hsdsId).orElse(Agency.hsdsIdOf(agencyId)));
            contents.add(service(opportunity, organizationId));
        }
        return page(contents, total, page, perPage);
    }

    /** One page of organizations, read from the store a page at a time (as services are). */
    ObjectNode organizations(int page, int perPage) {
        long total = agencies.count();
        ArrayNode contents = NODES.arrayNode();
        agencies.page(page, perPage).forEach(a -> contents.add(organization(a)));
        return page(contents, total, page, perPage);
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
            cost.put("currency", "GBP");
            cost.put("amount", o.costPence() / 100.0);
            cost.put("option", "Standard fee");
        }
        if (o.schedule() != null) {
            schedules(service.putArray("schedules"), id, o.schedule());
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
     * The schedule as HSDS schedules: one with the dates, session count and description when it has no weekly slots;
     * otherwise one per slot, each with those and a weekly rule ({@code byday}, {@code opens_at}, {@code closes_at}),
     * which an import reads back as the same slots.
     */
    private static void schedules(ArrayNode schedules, String serviceId, Schedule when) {
        List<TimeSlot> slots = when.slots().stream().sorted().toList();
        for (TimeSlot slot : slots.isEmpty() ? java.util.Collections.<TimeSlot>singletonList(null) : slots) {
            ObjectNode schedule = schedules.addObject();
            schedule.put("id", slot == null ? HsdsTaxonomy.stableId(serviceId, "schedule")
                    : HsdsTaxonomy.stableId(serviceId, "schedule", slot.name()));
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
            if (slot != null) {
                schedule.put("freq", "WEEKLY");
                switch (slot) {
                    case WEEKDAY_DAYTIME -> weekly(schedule, "MO,TU,WE,TH,FR", "09:00", "17:00");
                    case WEEKDAY_EVENING -> weekly(schedule, "MO,TU,WE,TH,FR", HsdsImport.EVENING, "21:00");
                    case WEEKEND -> weekly(schedule, "SA,SU", "09:00", "17:00");
                }
            }
        }
    }

    private static void weekly(ObjectNode schedule, String byday, String opensAt, String closesAt) {
        schedule.put("byday", byday);
        schedule.put("opens_at", opensAt);
        schedule.put("closes_at", closesAt);
    }

    ObjectNode organization(Agency agency) {
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
        contacts(organization, "organization_id", id, agency.contacts());
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
