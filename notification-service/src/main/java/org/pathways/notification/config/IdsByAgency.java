package org.pathways.notification.config;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.bson.Document;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;

/**
 * Ids of an agency's documents of one kind (its subscriptions, its workers with preferences), one document per agency
 * ({@code _id} = agency id, the ids in one array): what a batch reads by {@code _id} to find an agency's documents,
 * which it then reads by {@code _id} too (issue 14: the embedded store serves only {@code _id} and unique indexes, so a
 * search by agency read every such document, per batch, more as more were stored). The lists are sets: listing twice,
 * or building again at start, changes nothing.
 */
public final class IdsByAgency {

    private final MongoTemplate mongo;
    private final String collection;
    private final String field;

    /** The lists kept in {@code collection}, each agency's ids in its document's {@code field}. */
    public IdsByAgency(MongoTemplate mongo, String collection, String field) {
        this.mongo = mongo;
        this.collection = collection;
        this.field = field;
    }

    public void list(String agencyId, String id) {
        mongo.upsert(byId(agencyId), new Update().addToSet(field, id), collection);
    }

    public void unlist(String agencyId, String id) {
        mongo.updateFirst(byId(agencyId), new Update().pull(field, id), collection);
    }

    /** By agency (each of {@code agencies} present, in their order), the ids listed: one read by {@code _id}. */
    public Map<String, List<String>> of(Collection<String> agencies) {
        Map<String, List<String>> listed = new LinkedHashMap<>();
        agencies.forEach(agency -> listed.put(agency, List.of()));
        if (listed.isEmpty()) {
            return listed;
        }
        Query query = listed.size() == 1 ? byId(listed.keySet().iterator().next())
                : Query.query(Criteria.where("_id").in(listed.keySet()));
        for (Document agency : mongo.find(query, Document.class, collection)) {
            listed.put(agency.getString("_id"), agency.getList(field, String.class, List.of()));
        }
        return listed;
    }

    /**
     * Lists every document of {@code source} under its {@code agencyId}, by the id {@code idOf} gives it (null: not
     * listed), reading only {@code fields} of each; repeatable. Returns how many agencies have one.
     */
    public int build(String source, List<String> fields, Function<Document, String> idOf) {
        Query all = new Query();
        fields.forEach(all.fields()::include);
        all.fields().include("agencyId");
        Map<String, Set<String>> byAgency = new LinkedHashMap<>();
        mongo.stream(all, Document.class, source).forEach(document -> {
            String id = idOf.apply(document);
            if (document.get("agencyId") instanceof String agency && id != null) {
                byAgency.computeIfAbsent(agency, a -> new LinkedHashSet<>()).add(id);
            }
        });
        if (!byAgency.isEmpty()) {
            BulkOperations writes = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, collection);
            byAgency.forEach((agency, ids) -> {
                Update update = new Update();
                update.addToSet(field).each(ids.toArray());
                writes.upsert(byId(agency), update);
            });
            writes.execute();
        }
        return byAgency.size();
    }

    /** One document by {@code _id}. */
    public static Query byId(String id) {
        return Query.query(Criteria.where("_id").is(id));
    }
}
