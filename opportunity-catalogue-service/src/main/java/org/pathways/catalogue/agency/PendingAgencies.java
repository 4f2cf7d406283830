package org.pathways.catalogue.agency;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import org.bson.Document;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * Which agencies no platform administrator has approved yet ({@link Agency#pending()}: no approved kind), as the
 * store holds them. The one rule by which the catalogue keeps an agency that is still pending out of everything it
 * shows beyond that agency and the platform's administrators: its opportunities in search and matching, its
 * organization and services (with the people to contact there) in the Open Referral export. Whoever hides a pending
 * agency asks here, so the two cannot drift apart.
 *
 * <p>A provider with no agency record at all (an opportunity drafted before its agency registered) is not pending:
 * nobody asked for anything on its behalf.
 */
@Component
public class PendingAgencies {

    private static final String COLLECTION = "agencies";
    private static final String KIND = "kind";

    private final MongoTemplate mongo;

    public PendingAgencies(MongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** {@link Agency#pending()} as a store filter. */
    static Criteria pending() {
        return Criteria.where(KIND).is(null);
    }

    /** Its opposite: an approved kind. */
    static Criteria approved() {
        return Criteria.where(KIND).ne(null);
    }

    /**
     * Those of {@code agencyIds} still pending: one read by {@code _id} alone, the kind checked here (a filter on
     * {@code kind} too would be served by no index on the embedded store: a full scan).
     */
    public Set<String> among(Collection<String> agencyIds) {
        Set<String> ids = new HashSet<>(agencyIds);
        ids.remove(null);
        if (ids.isEmpty()) {
            return Set.of();
        }
        Query query = Query.query(ids.size() == 1 ? Criteria.where("_id").is(ids.iterator().next())
                : Criteria.where("_id").in(ids));
        query.fields().include("_id").include(KIND);
        Set<String> pending = new HashSet<>();
        mongo.find(query, Document.class, COLLECTION).forEach(d -> {
            if (d.get(KIND) == null) {
                pending.add(String.valueOf(d.get("_id")));
            }
        });
        return pending;
    }

    /** Whether {@code agencyId} is still pending. */
    public boolean is(String agencyId) {
        return agencyId != null && among(Set.of(agencyId)).contains(agencyId);
    }

    /**
     * Every pending agency's id (the agencies waiting for a platform administrator: a few), read with one query on
     * the kind (index {@code kind_name}).
     */
    public Set<String> all() {
        Query query = Query.query(pending());
        query.fields().include("_id");
        Set<String> pending = new HashSet<>();
        try (Stream<Document> found = mongo.stream(query, Document.class, COLLECTION)) {
            found.forEach(d -> pending.add(String.valueOf(d.get("_id"))));
        }
        return pending;
    }
}
