package org.pathways.notification.subscription;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.pathways.notification.config.IdsByAgency;
import org.springframework.data.mongodb.core.MongoTemplate;

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

    private final IdsByAgency lists;

    AgencySubscriptions(MongoTemplate mongo) {
        this.lists = new IdsByAgency(mongo, COLLECTION, "ids");
    }

    void list(String agencyId, String subscriptionId) {
        lists.list(agencyId, subscriptionId);
    }

    void unlist(String agencyId, String subscriptionId) {
        lists.unlist(agencyId, subscriptionId);
    }

    /** By agency (each of {@code agencies} present), the ids listed: one read by {@code _id}. */
    Map<String, List<String>> of(Collection<String> agencies) {
        return lists.of(agencies);
    }

    /** Lists every subscription kept under its agency (repeatable); returns how many agencies have one. */
    int build(String subscriptions) {
        return lists.build(subscriptions, List.of(), subscription -> String.valueOf(subscription.get("_id")));
    }
}
