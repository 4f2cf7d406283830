package org.pathways.catalogue.matching;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.pathways.catalogue.opportunity.DeliveryMode;
import org.pathways.catalogue.opportunity.Opportunity;
import org.pathways.catalogue.opportunity.OpportunityStatus;
import org.pathways.catalogue.opportunity.SearchText;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;

/**
 * Matching as it was before the search index, for {@code SearchBenchmark} only (the old path beside the new): the
 * 5,000 newest candidates read from the store by goal tokens, or by locality, bounding box or online, then judged
 * by the same {@link Matchmaker#judge}.
 */
public final class StoreScanMatching {

    private StoreScanMatching() {
    }

    public static MatchResults match(MongoTemplate mongo, Matchmaker matchmaker, MatchRequest request) {
        Set<String> goalTokens = new LinkedHashSet<>();
        request.goals().forEach(goal -> goalTokens.addAll(SearchText.tokens(goal)));
        Criteria listed = Criteria.where("status").in(OpportunityStatus.PUBLISHED, OpportunityStatus.FULL);
        Criteria criteria;
        if (!goalTokens.isEmpty()) {
            criteria = new Criteria().andOperator(listed, Criteria.where("searchTokens").in(goalTokens));
        } else {
            List<Criteria> relevant = new ArrayList<>();
            if (request.locality() != null) {
                relevant.add(Criteria.where("localities").is(request.locality().toLowerCase(Locale.ROOT)));
            }
            if (request.latitude() != null) {
                double latSpan = request.maxDistanceKm() / 111.2;
                double lonSpan = request.maxDistanceKm() / (111.2 * Math.max(0.01,
                        Math.cos(Math.toRadians(request.latitude()))));
                relevant.add(Criteria.where("venues").elemMatch(Criteria.where("latitude")
                        .gte(request.latitude() - latSpan).lte(request.latitude() + latSpan)
                        .and("longitude").gte(request.longitude() - lonSpan).lte(request.longitude() + lonSpan)));
            }
            if (!relevant.isEmpty()) {
                relevant.add(Criteria.where("mode").is(DeliveryMode.ONLINE));
            }
            criteria = relevant.isEmpty() ? listed
                    : new Criteria().andOperator(listed, new Criteria().orOperator(relevant));
        }
        Query query = Query.query(criteria).with(Sort.by(Sort.Order.desc("publishedAt"), Sort.Order.asc("_id")))
                .limit(5_000);
        query.fields().exclude("description", "placeChangesInFlight", "leadsTo", "outbox");
        List<Opportunity> candidates = mongo.find(query, Opportunity.class);
        return matchmaker.judge(request, candidates);
    }
}
