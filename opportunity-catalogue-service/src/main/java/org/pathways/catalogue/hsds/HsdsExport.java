package org.pathways.catalogue.hsds;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.agency.PendingAgencies;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * (mapped by {@link HsdsMapper}), in the API's paged shape ({@code contents}, {@code total_items}...). Both are paged
 * by the store.
 *
 * <p>What the partnership publishes, to any caller: an agency still waiting for a platform administrator's approval
 * ({@link PendingAgencies}, the rule search follows too) is left out, its organization and its services with the
 * people to contact there, until it is approved; counts and pages leave them out alike.
 */
@Service
class HsdsExport {

    private static final Logger log = LoggerFactory.getLogger(HsdsExport.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final MongoTemplate mongo;
    private final AgencyDirectory agencies;
    private final PendingAgencies pendingAgencies;

    HsdsExport(MongoTemplate mongo, AgencyDirectory agencies, PendingAgencies pendingAgencies) {
        this.mongo = mongo;
        this.agencies = agencies;
        this.pendingAgencies = pendingAgencies;
    }

    /**
     * One page of services, read from the store a page at a time: the pending agencies are read once (a few ids),
     * their services left out by the query itself (so totals and pages agree), and the page's providers read with
     * one more query, never one per service. With {@code organizationId} (an HSDS organization id), that
     * organization's services only: none when it is unknown or pending.
     */
    ObjectNode services(int page, int perPage, String organizationId) {
        Criteria published = Criteria.where("status").ne(OpportunityStatus.DRAFT);
        if (organizationId != null) {
            Optional<Agency> organization = agencies.findByHsdsId(organizationId).filter(a -> !a.pending());
            if (organization.isEmpty()) {
                return page(NODES.arrayNode(), 0, page, perPage);
            }
            published = Criteria.where("providerAgencyId").is(organization.get().id())
                    .and("status").ne(OpportunityStatus.DRAFT);
        } else {
            Set<String> pending = pendingAgencies.all();
            if (!pending.isEmpty()) {
                published = published.and("providerAgencyId").nin(pending);
            }
        }
        Query query = Query.query(published);
        long total = mongo.count(query, Opportunity.class);
        List<Opportunity> found = mongo.find(query.with(Sort.by("_id")).skip((long) (page - 1) * perPage)
                .limit(perPage), Opportunity.class);
        Map<String, Agency> providers = agencies.findAll(found.stream().map(Opportunity::providerAgencyId)
                .collect(Collectors.toSet()));
        ArrayNode contents = NODES.arrayNode();
        for (Opportunity opportunity : found) {
            Agency provider = providers.get(opportunity.providerAgencyId());
            if (provider != null && provider.pending()) {
                continue;   // registered between the two reads: not published before it is approved either
            }
            contents.add(HsdsMapper.service(opportunity, organizationIdOf(provider, opportunity)));
        }
        log.debug("HSDS services page {} of {}: {} of {} services", page, perPage, contents.size(), total);
        return page(contents, total, page, perPage);
    }

    /**
     * The service {@code id} (an HSDS id: {@code opp-<id>} in the catalogue), whole; empty when there is none
     * that is published here: unknown, a draft, or a pending agency's.
     */
    Optional<ObjectNode> service(String id) {
        if (!HsdsFeed.isUuid(id)) {
            return Optional.empty();
        }
        Opportunity opportunity = mongo.findById("opp-" + id, Opportunity.class);
        if (opportunity == null || opportunity.status() == OpportunityStatus.DRAFT
                || !HsdsMapper.serviceId(opportunity).equals(id)) {
            return Optional.empty();
        }
        Agency provider = agencies.find(opportunity.providerAgencyId()).orElse(null);
        if (provider != null && provider.pending()) {
            return Optional.empty();
        }
        return Optional.of(HsdsMapper.service(opportunity, organizationIdOf(provider, opportunity)));
    }

    /**
     * The organization {@code id} with its services in brief (every service it publishes, in id order; whole, they
     * are paged by {@code services?organization_id=}); empty when unknown or pending.
     */
    Optional<ObjectNode> organization(String id) {
        Optional<Agency> found = agencies.findByHsdsId(id).filter(a -> !a.pending());
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Agency agency = found.get();
        ObjectNode organization = HsdsMapper.organization(agency);
        ArrayNode services = organization.putArray("services");
        Query query = Query.query(Criteria.where("providerAgencyId").is(agency.id())
                .and("status").ne(OpportunityStatus.DRAFT)).with(Sort.by("_id"));
        query.fields().include("title", "description", "status", "providerAgencyId");
        mongo.find(query, Opportunity.class).forEach(o -> services.add(HsdsMapper.serviceInBrief(o, agency.hsdsId())));
        return Optional.of(organization);
    }

    /** The HSDS organization id of a provider (one without an agency record: the id derived from its agency id). */
    private static String organizationIdOf(Agency provider, Opportunity opportunity) {
        return provider != null ? provider.hsdsId() : Agency.hsdsIdOf(opportunity.providerAgencyId());
    }

    /** One page of the approved agencies' organizations, read from the store a page at a time (as services are). */
    ObjectNode organizations(int page, int perPage) {
        long total = agencies.countApproved();
        ArrayNode contents = NODES.arrayNode();
        agencies.approvedPage(page, perPage).forEach(a -> contents.add(HsdsMapper.organization(a)));
        log.debug("HSDS organizations page {} of {}: {} of {} organizations", page, perPage, contents.size(), total);
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
}
