package org.pathways.notification.subscription;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.Document;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * The ids of each agency's subscriptions, one document per agency ({@code _id} = agency id): what routing reads to
 * find who wants an event, by {@code _id}, followed by the subscriptions themselves by {@code _id} (issue 14: the
 * embedded store serves only {@code _id} and unique indexes, so a search of {@code subscriptions} by agency read every
 * subscription per batch and grew with what is stored).
 *
 * <p>An id is listed before its subscription is inserted and unlisted after it is removed, so a listed id with no
 * subscription (a failed registration) is possible and harmless (it is simply not found), a subscription that is not
 * listed is not. The status is not kept here: it is read with the subscription. Built again at every start from the
 * subscriptions kept (the lists are sets), so subscriptions registered before this list existed, or by an instance of
 * an earlier version during a rolling deploy, are listed by the next start.
 */
final class AgencySubscriptions {

    static final String COLLECTION = "agency_subscriptions";
    private static final String IDS = "ids";

    private final MongoTemplate mongo;

    AgencySubscriptions(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    void list(String agencyId, String subscriptionId) {
        mongo.upsert(byId(agencyId), new Update().addToSet(IDS, subscriptionId), COLLECTION);
    }

    void unlist(String agencyId, String subscriptionId) {
        mongo.updateFirst(byId(agencyId), new Update().pull(IDS, subscriptionId), COLLECTION);
    }

    /** By agency (each of {@code agencies} present), the ids listed: one read by {@code _id}. */
    Map<String, List<String>> of(Collection<String> agencies) {
        Map<String, List<String>> listed = new LinkedHashMap<>();
        agencies.forEach(agency -> listed.put(agency, List.of()));
        Query query = agencies.size() == 1 ? byId(agencies.iterator().next())
                : Query.query(Criteria.where("_id").in(agencies));
        for (Document agency : mongo.find(query, Document.class, COLLECTION)) {
            listed.put(agency.getString("_id"), agency.getList(IDS, String.class, List.of()));
        }
        return listed;
    }

    /** Lists every subscription kept under its agency (repeatable); returns how many agencies have one. */
    int build(String subscriptions) {
        Query all = new Query();
        all.fields().include("agencyId");
        Map<String, Set<String>> byAgency = new LinkedHashMap<>();
        mongo.stream(all, Document.class, subscriptions).forEach(subscription -> {
            if (subscription.get("agencyId") instanceof String agency) {
                byAgency.computeIfAbsent(agency, a -> new java.util.LinkedHashSet<>())
                        .add(String.valueOf(subscription.get("_id")));
            }
        });
        if (!byAgency.isEmpty()) {
            BulkOperations writes = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, COLLECTION);
            byAgency.forEach((agency, ids) -> {
                Update update = new Update();
                update.addToSet(IDS).each(ids.toArray());
                writes.upsert(byId(agency), update);
            });
            writes.execute();
        }
        return byAgency.size();
    }

    private static Query byId(String id) {
        return Query.query(Criteria.where("_id").is(id));
    }
}
