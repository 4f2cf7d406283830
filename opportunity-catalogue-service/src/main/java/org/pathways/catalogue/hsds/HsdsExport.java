package org.pathways.catalogue.hsds;

import java.util.List;

import org.pathways.catalogue.agency.Agency;
import org.pathways.catalogue.agency.AgencyDirectory;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
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
            contents.add(HsdsMapper.service(opportunity, organizationId));
        }
        return page(contents, total, page, perPage);
    }

    /** One page of organizations, read from the store a page at a time (as services are). */
    ObjectNode organizations(int page, int perPage) {
        long total = agencies.count();
        ArrayNode contents = NODES.arrayNode();
        agencies.page(page, perPage).forEach(a -> contents.add(HsdsMapper.organization(a)));
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
