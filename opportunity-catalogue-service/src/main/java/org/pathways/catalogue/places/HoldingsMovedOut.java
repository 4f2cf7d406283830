package org.pathways.catalogue.places;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bson.Document;
import org.pathways.platform.store.Migrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.stereotype.Component;

/**
 * Moves the place holdings that earlier versions kept inside each opportunity ({@code placeHolders} and
 * {@code endedReferrals} arrays) to their own documents and leaves the opportunity a count. Runs once at start, before
 * the consumers and the web server start (so nothing else changes places meanwhile); noted when done in
 * {@code catalogue_migrations}, so later starts skip it ({@link Migrations}); repeatable: holdings already moved are
 * skipped by their {@code _id}, and an opportunity is rewritten only while it still has the arrays, guarded by its
 * version. Stop every instance of the earlier version before starting this one: they would write the arrays
 * again.
 */
@Component
class HoldingsMovedOut implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(HoldingsMovedOut.class);
    static final String COLLECTION = "opportunities";
    static final String HOLDERS = "placeHolders";
    static final String ENDED = "endedReferrals";
    private static final int ATTEMPTS = 5;
    /** Where a finished migration is noted, so that later starts do not look through every opportunity again. */
    static final String MIGRATIONS = "catalogue_migrations";
    static final String MIGRATION = "place-holdings-moved-out";

    private final MongoTemplate mongo;
    private final PlaceHoldings holdings;
    private final Clock clock;

    HoldingsMovedOut(MongoTemplate mongo, PlaceHoldings holdings, Clock clock) {
        this.mongo = mongo;
        this.holdings = holdings;
        this.clock = clock;
    }

    @Override
    public void afterSingletonsInstantiated() {
        new Migrations(mongo, MIGRATIONS, clock).once(MIGRATION, () -> {
            int moved = moveAll();
            if (moved > 0) {
                log.info("Moved the place holdings of {} opportunities out of their documents", moved);
            }
        });
    }

    /** Moves the holdings of every opportunity that still embeds them; returns how many opportunities it rewrote. */
    int moveAll() {
        Query embedding = new Query(new Criteria().orOperator(Criteria.where(HOLDERS).exists(true),
                Criteria.where(ENDED).exists(true)));
        embedding.fields().include("_id");
        List<Object> ids = mongo.find(embedding, Document.class, COLLECTION).stream().map(d -> d.get("_id")).toList();
        int moved = 0;
        for (Object id : ids) {
            if (move(id)) {
                moved++;
            }
        }
        return moved;
    }

    private boolean move(Object id) {
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Query byId = Query.query(Criteria.where("_id").is(id));
            byId.fields().include("version", HOLDERS, ENDED);
            Document opportunity = mongo.findOne(byId, Document.class, COLLECTION);
            if (opportunity == null || !opportunity.containsKey(HOLDERS) && !opportunity.containsKey(ENDED)) {
                return false;
            }
            String opportunityId = id.toString();
            Instant now = clock.instant();
            Set<String> holders = new LinkedHashSet<>(opportunity.getList(HOLDERS, String.class, List.of()));
            Set<String> ended = new LinkedHashSet<>(opportunity.getList(ENDED, String.class, List.of()));
            ended.removeAll(holders);
            holders.forEach(referralId -> holdings.insert(new PlaceHolding(PlaceHolding.id(opportunityId, referralId),
                    opportunityId, referralId, PlaceHolding.Step.HOLDING, now)));
            ended.forEach(referralId -> holdings.insert(new PlaceHolding(PlaceHolding.id(opportunityId, referralId),
                    opportunityId, referralId, PlaceHolding.Step.ENDED, now)));
            Update counted = new Update().set("placesTaken", holders.size()).unset(HOLDERS).unset(ENDED)
                    .inc("version", 1);
            Query seen = Query.query(Criteria.where("_id").is(id).and("version").is(opportunity.get("version")));
            if (mongo.updateFirst(seen, counted, COLLECTION).getMatchedCount() == 1) {
                return true;
            }
        }
        throw new IllegalStateException("Opportunity " + id + " kept changing while its place holdings were moved");
    }
}
