package org.pathways.notification.email;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pathways.notification.config.IdsByAgency;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.stereotype.Component;

/**
 * The user ids of the workers of each agency who set their notification preferences, one document per agency
 * ({@code _id} = agency id, ids only): what routing reads to find who wants a notice, by {@code _id}, followed by the
 * preferences themselves by {@code _id} (issue 14: the embedded store serves only {@code _id} and unique indexes, so a
 * search of {@code worker_preferences} by agency read every worker's preferences per batch and grew with them).
 *
 * <p>A worker is listed before their preferences are saved and unlisted after they are deleted: a listed worker with no
 * preferences is harmless (not found, so not written to), a worker with preferences who is not listed is not. Two
 * writes of one worker's preferences at once (a save and a removal: two tabs, a retry) cannot leave them kept but
 * unlisted: a save lists again after it saved, and a removal, after unlisting, lists again if preferences are there
 * (a save came between). Built again at every start from the preferences kept (the lists are sets).
 */
@Component
class AgencyWorkers {

    static final String COLLECTION = "agency_workers";

    private final MongoTemplate mongo;
    private final IdsByAgency lists;

    AgencyWorkers(MongoTemplate mongo) {
        this.mongo = mongo;
        this.lists = new IdsByAgency(mongo, COLLECTION, "userIds");
    }

    void list(String agencyId, String userId) {
        lists.list(agencyId, userId);
    }

    void unlist(String agencyId, String userId) {
        lists.unlist(agencyId, userId);
    }

    /**
     * By agency (each of {@code agencies} present), the preferences of its workers (their agency, user id and notices
     * only): the agencies' lists by {@code _id}, then the preferences listed by {@code _id}; no second read when no
     * agency lists anyone.
     */
    Map<String, List<WorkerPreferences>> preferencesOf(Collection<String> agencies) {
        Map<String, List<WorkerPreferences>> of = new LinkedHashMap<>();
        agencies.forEach(agency -> of.put(agency, new ArrayList<>()));
        List<String> ids = new ArrayList<>();
        lists.of(of.keySet()).forEach((agencyId, userIds) ->
                userIds.forEach(userId -> ids.add(WorkerPreferences.idOf(agencyId, userId))));
        if (ids.isEmpty()) {
            return of;
        }
        Query workers = ids.size() == 1 ? IdsByAgency.byId(ids.getFirst())
                : Query.query(Criteria.where("_id").in(ids));
        workers.fields().include("agencyId").include("userId").include("notices");
        mongo.find(workers, WorkerPreferences.class).stream()
                .filter(worker -> of.containsKey(worker.agencyId()))
                .forEach(worker -> of.get(worker.agencyId()).add(worker));
        return of;
    }

    /** Lists every worker whose preferences are kept under their agency (repeatable); returns how many agencies. */
    int build() {
        return lists.build(mongo.getCollectionName(WorkerPreferences.class), List.of("userId"),
                worker -> worker.get("userId") instanceof String user ? user : null);
    }
}
